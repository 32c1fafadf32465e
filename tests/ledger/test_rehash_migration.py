"""Migration 0003: a version-1 chain (microseconds hashed) becomes the known version-2 chain, with a note."""

from __future__ import annotations

import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from ledger.anchors import anchor_file, read_anchors
from ledger.maintenance import ledger_maintenance
from ledger.models import Record
from ledger.verification import ledger_verify
from tests.ledger.known import (
    CANONICAL_1,
    CANONICAL_2,
    CANONICAL_3,
    GENESIS,
    HASH_1,
    HASH_2,
    HASH_3,
)

pytestmark = pytest.mark.django_db

migration = importlib.import_module("ledger.migrations.0003_rehash_times_to_milliseconds")

# Version 1 wrote six digits of fraction; the stored times below carry them.
MICROS = {
    "2026-06-30T09:05:09.123Z": "2026-06-30T09:05:09.123456Z",
    "2026-06-30T09:06:00.000Z": "2026-06-30T09:06:00.000321Z",
    "2026-06-30T09:07:30.250Z": "2026-06-30T09:07:30.250999Z",
    "2026-06-30T09:10:00.999Z": "2026-06-30T09:10:00.999999Z",
}


def v1(canonical: str) -> str:
    for millis, micros in MICROS.items():
        canonical = canonical.replace(millis, micros)
    return canonical


def sha(prev: str, canonical: str) -> str:
    return hashlib.sha256((prev + canonical).encode("ascii")).hexdigest()


V1_1 = sha(GENESIS, v1(CANONICAL_1))
V1_2 = sha(V1_1, v1(CANONICAL_2))
V1_3 = sha(V1_2, v1(CANONICAL_3))


def sql(statement: str, params: list | None = None) -> None:
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def version_1_chain(known_chain):
    """The known chain as version 1 left it: times with microseconds, hashes over them."""
    for seq, (prev, digest) in enumerate([(GENESIS, V1_1), (V1_1, V1_2), (V1_2, V1_3)], start=1):
        row = Record.objects.get(seq=seq)
        occurred = row.occurred_at.replace(microsecond={1: 123456, 2: 250999, 3: 123456}[seq])
        recorded = row.recorded_at.replace(microsecond={1: 321, 2: 250999, 3: 999999}[seq])
        sql(
            "UPDATE ledger_record SET occurred_at = %s, recorded_at = %s, prev_hash = %s, hash = %s "
            "WHERE seq = %s",
            [
                connection.ops.adapt_datetimefield_value(occurred),
                connection.ops.adapt_datetimefield_value(recorded),
                prev,
                digest,
                seq,
            ],
        )
    path = anchor_file()
    path.unlink(missing_ok=True)
    yield path
    path.unlink(missing_ok=True)


def migrate(direction) -> None:
    with ledger_maintenance():  # the triggers of 0004 exist in the test database; 0003 runs before them
        direction(apps, SimpleNamespace(connection=connection))


def hashes() -> list[tuple[str, str]]:
    return list(Record.objects.values_list("prev_hash", "hash"))


def test_version_1_chain_is_rehashed_to_the_known_answers(version_1_chain, capsys):
    assert not ledger_verify().ok  # version 2 cannot verify version-1 hashes
    migrate(migration.forwards)
    assert hashes() == [(GENESIS, HASH_1), (HASH_1, HASH_2), (HASH_2, HASH_3)]
    assert ledger_verify().ok
    printed = capsys.readouterr().out
    assert f"Old head: seq 3 hash {V1_3}" in printed
    assert f"New head: seq 3 hash {HASH_3}" in printed
    [note], bad = read_anchors(version_1_chain)
    assert (note.seq, note.hash, note.canon, bad) == (3, HASH_3, 2, [])
    assert version_1_chain.read_text().rstrip().endswith(f"canon=2 old-canon=1 rehashed-from={V1_3}")
    assert ledger_verify(anchors=version_1_chain).ok


def test_a_broken_version_1_chain_is_not_laundered(version_1_chain):
    sql("UPDATE ledger_record SET title = 'forged' WHERE seq = 2")
    before = hashes()
    with pytest.raises(RuntimeError, match="already broken under canonical form 1 at seq 2: hash mismatch"):
        migrate(migration.forwards)
    assert hashes() == before
    assert not version_1_chain.exists()


def test_a_broken_chain_can_be_rehashed_on_purpose_with_the_break_noted(version_1_chain, monkeypatch):
    sql("UPDATE ledger_record SET title = 'forged' WHERE seq = 2")
    monkeypatch.setenv(migration.BROKEN_ENV, "accept")
    migrate(migration.forwards)
    assert ledger_verify().ok  # the chain is whole again: only the note tells
    assert version_1_chain.read_text().rstrip().endswith("broken-before-rehash=seq2")


def test_backwards_restores_the_version_1_hashes(version_1_chain):
    migrate(migration.forwards)
    migrate(migration.backwards)
    assert hashes() == [(GENESIS, V1_1), (V1_1, V1_2), (V1_2, V1_3)]


def test_an_empty_ledger_needs_no_note(capsys):
    migrate(migration.forwards)
    assert capsys.readouterr().out == ""
    assert not anchor_file().exists()
