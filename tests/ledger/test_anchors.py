"""manage.py ledger_anchor: the head goes to an append-only file that verify_records compares with."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ledger.anchors import anchor_file, read_anchors

pytestmark = pytest.mark.django_db

LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ seq=(\d+) hash=([0-9a-f]{64}) canon=2$")


def anchor(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ledger_anchor", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


@pytest.fixture
def path():
    path = anchor_file()
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def test_anchor_prints_and_appends_the_head(append, path):
    append()
    second = append()
    printed, _ = anchor()
    assert LINE.match(printed).groups() == ("2", second.hash)
    third = append()
    anchor()
    lines = path.read_text().splitlines()
    assert lines[0] == printed
    assert LINE.match(lines[1]).groups() == ("3", third.hash)
    anchors, bad = read_anchors(path)
    assert ([(a.line, a.seq, a.hash) for a in anchors], bad) == (
        [(1, 2, second.hash), (2, 3, third.hash)],
        [],
    )


def test_anchor_keeps_what_was_in_the_file(append, path):
    path.write_text("# shipped to compliance@bank.example daily\n")
    append()
    anchor()
    assert path.read_text().startswith("# shipped to compliance@bank.example daily\n2")


def test_empty_ledger_writes_nothing(path):
    printed, warned = anchor()
    assert (printed, warned) == ("", "The ledger is empty: nothing to anchor.")
    assert not path.exists()


def test_anchor_to_another_file(append, tmp_path):
    record = append()
    anchor("--file", str(tmp_path / "elsewhere" / "anchors.txt"))
    assert f"seq=1 hash={record.hash}" in (tmp_path / "elsewhere" / "anchors.txt").read_text()


def test_unwritable_file_is_a_clear_error(append, tmp_path):
    append()
    (tmp_path / "ro").mkdir()
    target = tmp_path / "ro" / "anchors.txt"
    target.mkdir()  # a directory where the file should be: cannot be opened for appending
    with pytest.raises(CommandError, match=f"Cannot append to {target}"):
        anchor("--file", str(target))
