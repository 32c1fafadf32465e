"""Known answers: hashes computed once by hand from docs/ledger.md's canonical form, not by our code.

The canonical strings in tests/ledger/known.py were written by hand and hashed with plain Python::

    hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()

so a change to what the hash covers (leaving out ``prev_hash`` or ``data``, another time precision, another
key order) fails here even though the code would still agree with itself.
"""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.db import connection

from ledger.maintenance import ledger_maintenance
from ledger.models import Record
from ledger.services import record_append, record_correct, records_append_bulk
from ledger.verification import ledger_verify
from tests.ledger.known import (
    CANONICAL_1,
    CANONICAL_2,
    CANONICAL_3,
    GENESIS,
    HASH_1,
    HASH_2,
    HASH_3,
    HKT,
    UTC,
)

pytestmark = pytest.mark.django_db

# recorded_at of each append (given in another zone, and below a millisecond: both normalised away).
TICKS = [
    datetime.datetime(2026, 6, 30, 9, 6, 0, tzinfo=UTC),
    datetime.datetime(2026, 6, 30, 17, 7, 30, 250999, tzinfo=HKT),
    datetime.datetime(2026, 6, 30, 9, 10, 0, 999999, tzinfo=UTC),
]


def test_the_literals_are_sha256_of_the_hand_written_canonical_form():
    """Pins the literals to the strings above (so neither can drift alone)."""
    assert hashlib.sha256((GENESIS + CANONICAL_1).encode("ascii")).hexdigest() == HASH_1
    assert hashlib.sha256((HASH_1 + CANONICAL_2).encode("ascii")).hexdigest() == HASH_2
    assert hashlib.sha256((HASH_2 + CANONICAL_3).encode("ascii")).hexdigest() == HASH_3


@pytest.fixture
def clock(monkeypatch):
    """clock.now is what timezone.now() returns while the chain is appended; the test moves it."""

    class Clock:
        now = TICKS[0]

    monkeypatch.setattr("ledger.services.timezone.now", lambda: Clock.now)
    return Clock


# What records 1 and 2 of the known chain were given (alice's quiz attempt; bob's acknowledgement).
FIRST = {
    "kind": "quiz_attempt",
    "subject_type": "quizzes.quiz",
    "page_id": 42,
    "revision_id": 7,
    "title": "反洗錢測驗 AML-2026",
    "outcome": "passed",
    "score": Decimal("87.5"),
    "data": {"on_time": True, "due": "2026-07-01", "answers": [1, "b", None, True]},
    "occurred_at": datetime.datetime(2026, 6, 30, 17, 5, 9, 123456, tzinfo=HKT),
}
SECOND = {
    "kind": "acknowledgement",
    "subject_type": "kb.procedurepage",
    "page_id": 15,
    "title": "SOP-CS-001 客戶投訴處理程序",
    "outcome": "acknowledged",
    "data": {"version": "2.1", "due": "2026-07-15", "on_time": False},
}


def append_chain(people, clock) -> list[Record]:
    alice, bob, officer = people
    clock.now = TICKS[0]
    first = record_append(actor=alice, **FIRST)
    clock.now = TICKS[1]
    second = record_append(actor=bob, **SECOND)
    clock.now = TICKS[2]
    third = record_correct(
        first, by=officer, reason="試題錯配 Question 3 was mis-keyed", outcome="failed", score=72
    )
    return [first, second, third]


def test_one_record_hashes_to_the_known_answer(people, clock):
    first = append_chain(people, clock)[0]
    assert first.canonical_json() == CANONICAL_1
    assert (first.prev_hash, first.hash) == (GENESIS, HASH_1)
    stored = Record.objects.with_corrects_seq().get(seq=1)
    assert (stored.compute_hash(), stored.hash) == (HASH_1, HASH_1)


def test_three_record_chain_hashes_to_the_known_answers(people, clock):
    append_chain(people, clock)
    stored = list(Record.objects.with_corrects_seq().values_list("seq", "prev_hash", "hash"))
    assert stored == [(1, GENESIS, HASH_1), (2, HASH_1, HASH_2), (3, HASH_2, HASH_3)]
    assert [r.canonical_json() for r in Record.objects.with_corrects_seq()] == [
        CANONICAL_1,
        CANONICAL_2,
        CANONICAL_3,
    ]
    result = ledger_verify()
    assert (result.ok, result.head_seq, result.head_hash) == (True, 3, HASH_3)


def test_bulk_appends_hash_to_the_same_known_answers(people, clock):
    """records_append_bulk (scale data, imports of past evidence) writes what record_append writes."""
    alice, bob, _officer = people
    clock.now = TICKS[0]
    [first] = records_append_bulk([{"actor": alice, **FIRST}])
    clock.now = TICKS[1]
    [second] = records_append_bulk([{"actor": bob, **SECOND}])
    assert [first.canonical_json(), second.canonical_json()] == [CANONICAL_1, CANONICAL_2]
    stored = list(Record.objects.values_list("seq", "prev_hash", "hash"))
    assert stored == [(1, GENESIS, HASH_1), (2, HASH_1, HASH_2)]
    assert [r.canonical_json() for r in Record.objects.with_corrects_seq()] == [CANONICAL_1, CANONICAL_2]


# --- the same chain written with plain SQL, then tampered with ---


def tamper(statement: str, params: list) -> None:
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_the_hand_made_chain_verifies(known_chain):
    result = ledger_verify()
    assert (result.ok, result.checked, result.head_hash) == (True, 3, HASH_3)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("data", '{"due": "2026-07-15", "on_time": true, "version": "2.1"}'),  # late made "on time"
        ("occurred_at", datetime.datetime(2026, 6, 30, 9, 7, 30, 251000, tzinfo=UTC)),  # one millisecond
        ("actor_name", "王大文"),
    ],
)
def test_raw_sql_edit_of_a_known_row_fails(known_chain, column, value):
    if isinstance(value, datetime.datetime):
        value = connection.ops.adapt_datetimefield_value(value)
    cast = "::jsonb" if column == "data" and connection.vendor == "postgresql" else ""
    tamper(f"UPDATE ledger_record SET {column} = %s{cast} WHERE seq = 2", [value])
    result = ledger_verify()
    assert (result.ok, result.bad_seq, result.reason) == (False, 2, "hash mismatch (row edited)")


def test_edit_rehash_and_patched_next_prev_hash_fails(known_chain):
    """The forger re-hashes seq 2 and patches seq 3's prev_hash; seq 3's hash covers its prev_hash."""
    forged = CANONICAL_2.replace('"on_time":false', '"on_time":true')
    forged_hash = hashlib.sha256((HASH_1 + forged).encode("ascii")).hexdigest()
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    tamper(
        f"UPDATE ledger_record SET data = %s{cast}, hash = %s WHERE seq = 2",
        ['{"due": "2026-07-15", "on_time": true, "version": "2.1"}', forged_hash],
    )
    tamper("UPDATE ledger_record SET prev_hash = %s WHERE seq = 3", [forged_hash])
    result = ledger_verify()
    assert [(p.seq, p.message) for p in result.problems] == [(3, "hash mismatch (row edited)")]


def test_a_change_below_one_millisecond_is_not_evidence(known_chain):
    """Times are evidence to the millisecond (what every faithful copy keeps); below that is not hashed."""
    tamper(
        "UPDATE ledger_record SET occurred_at = %s WHERE seq = 2",
        [
            connection.ops.adapt_datetimefield_value(
                datetime.datetime(2026, 6, 30, 9, 7, 30, 250999, tzinfo=UTC)
            )
        ],
    )
    assert ledger_verify().ok
