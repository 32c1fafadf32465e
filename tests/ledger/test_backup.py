"""manage.py backup / restore: every path round-trips and the ledger verifies after it.

The fast tests use a few records; the two ``slow`` ones load the whole demo once each (``make test-slow``).
Restores replace whole tables, so these tests run outside the per-test transaction.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from wagtail.models import Page, PageLogEntry

from kb.models import Acknowledgement
from ledger.backup import BackupError, backup_kind
from ledger.models import Record
from ledger.services import record_correct
from ledger.verification import ledger_verify
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
transactional = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.usefixtures("derived_tables")


def backup(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("backup", str(path), *args, stdout=out)
    return out.getvalue()


def restore(path: Path) -> str:
    out = StringIO()
    call_command("restore", str(path), "--no-input", stdout=out)
    return out.getvalue()


def head() -> tuple[int, str]:
    return Record.objects.order_by("-seq").values_list("seq", "hash").first()


@pytest.fixture
def small_ledger(append):
    quiz = {"kind": "quiz_attempt", "subject_type": "quizzes.quiz"}
    first = append(
        **quiz, outcome="passed", score="87.5", data={"due": "2026-07-01", "answers": [1, "b", None]}
    )
    append(**quiz, outcome="failed", score=40)
    record_correct(first, by=UserFactory(username="officer"), reason="錯誤記錄", outcome="voided")
    return head()


@transactional
def test_json_round_trip_keeps_the_chain(small_ledger, append, tmp_path):
    path = tmp_path / "copy.json.gz"
    assert backup(path, "--format", "json").startswith(f"Backed up to {path} (json, ")
    append(kind="quiz_attempt", subject_type="quizzes.quiz", outcome="passed", title="after the backup")
    output = restore(path)
    assert head() == small_ledger
    assert f"Ledger intact: 3 records, head seq 3, head hash {small_ledger[1]}" in output
    assert Record.objects.get(seq=1).score == Decimal("87.50")
    later = append(kind="quiz_attempt", subject_type="quizzes.quiz", outcome="passed", title="ids continue")
    assert (later.seq, later.pk > Record.objects.get(seq=3).pk) == (4, True)  # sequences reset past the rows


@transactional
def test_native_round_trip_keeps_the_chain(small_ledger, append, tmp_path):
    path = tmp_path / "native.backup"
    kind = "sqlite" if connection.vendor == "sqlite" else "postgres-dump"
    assert f"({kind}, " in backup(path)
    assert backup_kind(path) == kind
    append(kind="quiz_attempt", subject_type="quizzes.quiz", outcome="passed", title="after the backup")
    assert "Ledger intact: 3 records" in restore(path)
    assert head() == small_ledger
    assert ledger_verify().ok


@transactional
def test_json_copy_survives_content_deleted_before_it(make_procedure, make_staff, tmp_path):
    """Acknowledgements and log entries of a deleted page (which natural keys cannot express) copy as ids."""
    from kb.services import acknowledge

    page = make_procedure()
    acknowledge(user=make_staff("reader").user, page=page, version_number=1)
    page_id = page.pk
    Page.objects.get(pk=page_id).delete()
    assert PageLogEntry.objects.filter(page_id=page_id).exists()
    path = tmp_path / "copy.json"
    backup(path, "--format", "json")
    assert "Derived tables agree with the ledger: kb.acknowledgement, courses.coursecompletion." in restore(
        path
    )
    assert Acknowledgement.objects.filter(page_id=page_id).count() == 1


@pytest.mark.django_db
def test_backup_never_overwrites(tmp_path):
    path = tmp_path / "exists.json"
    path.write_text("[]")
    with pytest.raises(CommandError, match="already exists; backups never overwrite"):
        backup(path, "--format", "json")
    with pytest.raises(CommandError, match=r"name must end with \.json"):
        backup(tmp_path / "copy.txt", "--format", "json")


@pytest.mark.django_db
def test_restore_refuses_what_it_cannot_restore(small_ledger, tmp_path):
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if connection.vendor == "sqlite" else b"SQLite format 3\x00")
    with pytest.raises(CommandError, match="move with JSON"):
        restore(other)
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(BackupError, match="is not an SQLite database, a PostgreSQL custom dump or"):
        backup_kind(junk)
    assert head() == small_ledger


# --- the whole demo (slow) ------------------------------------------------------------------------------


def load_demo() -> None:
    from kb.demo import load_procedures
    from kb.demo_regulations import load_regulations
    from kb.services import approval_workflow_ensure
    from people.demo import load_people
    from people.roles import sync_roles
    from website.demo import ensure_site
    from website.search.bulk import indexing_paused

    with indexing_paused():
        home = ensure_site()
        load_people()
        approval_workflow_ensure()  # an emptied test database has lost the migration's workflow
        load_procedures(home)
        load_regulations(home)
    sync_roles()


def counts() -> dict[str, int]:
    return {
        "records": Record.objects.count(),
        "acknowledgements": Acknowledgement.objects.count(),
        "pages": Page.objects.count(),
        "log entries": PageLogEntry.objects.count(),
    }


@pytest.mark.slow
@transactional
def test_demo_round_trips_through_every_path_of_this_database(tmp_path):
    load_demo()
    before, demo_head = counts(), head()
    assert before["records"] > 500 and ledger_verify().ok
    for path in [tmp_path / "native.backup", tmp_path / "portable.json.gz"]:
        backup(path, *(["--format", "json"] if path.suffix == ".gz" else []))
        output = restore(path)
        assert (
            f"Ledger intact: {demo_head[0]:,} records, head seq {demo_head[0]}, head hash {demo_head[1]}"
            in output
        )
        assert "Derived tables agree with the ledger: kb.acknowledgement, courses.coursecompletion." in output
        assert counts() == before


def postgres_server() -> str | None:
    url = os.environ.get("SERVEWELL_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    if shutil.which("psql") is None:
        return None
    ready = subprocess.run(["psql", f"{url}/postgres", "-Atc", "select 1"], capture_output=True, check=False)
    return url if ready.returncode == 0 else None


@pytest.mark.slow
@pytest.mark.postgres_only
@transactional
def test_demo_moves_from_sqlite_to_postgresql(tmp_path):
    """The supported move: backup --format json on SQLite; migrate, restore and verify on PostgreSQL."""
    if connection.vendor != "sqlite":
        pytest.skip("the move starts from SQLite")
    if (server := postgres_server()) is None:
        pytest.skip("no PostgreSQL server (set SERVEWELL_TEST_POSTGRES=postgres://user@host:port)")
    load_demo()
    demo_head = head()
    path = tmp_path / "move.json.gz"
    backup(path, "--format", "json")
    name = f"servewell_move_test_{os.getpid()}"
    subprocess.run(["psql", f"{server}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"{server}/{name}",
        "DJANGO_SETTINGS_MODULE": "website.settings.test",
        "LEDGER_ANCHOR_DIR": str(tmp_path / "anchors"),
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    try:
        assert manage("migrate", "--noinput").returncode == 0
        moved = manage("restore", str(path), "--no-input")
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert f"head seq {demo_head[0]}, head hash {demo_head[1]}" in moved.stdout
        assert (
            "Derived tables agree with the ledger: kb.acknowledgement, courses.coursecompletion."
            in moved.stdout
        )
    finally:
        subprocess.run(["psql", f"{server}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)
