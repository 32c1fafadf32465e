"""The hand-computed chain of docs/ledger.md's canonical form (see test_known_answers.py) and its fixtures."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection

from tests.factories import UserFactory

GENESIS = "0" * 64
UTC = datetime.UTC
HKT = datetime.timezone(datetime.timedelta(hours=8))

# A quiz attempt by alice (陳美玲, E10001): every field filled, times given in Hong Kong time, with µs.
CANONICAL_1 = (
    r'{"actor_employee_number":"E10001","actor_name":"\u9673\u7f8e\u73b2","actor_user_id":501,'
    r'"actor_username":"alice","corrects_seq":null,'
    r'"data":{"answers":[1,"b",null,true],"due":"2026-07-01","on_time":true},"kind":"quiz_attempt",'
    r'"occurred_at":"2026-06-30T09:05:09.123Z","outcome":"passed","page_id":42,'
    r'"recorded_at":"2026-06-30T09:06:00.000Z","revision_id":7,"score":"87.50","seq":1,'
    r'"subject_type":"quizzes.quiz","title":"\u53cd\u6d17\u9322\u6e2c\u9a57 AML-2026"}'
)
HASH_1 = "e76d2cb69846418975181b69cb979d4614b0b8ead11b6ecde5f051793abcb3a9"
# An acknowledgement by bob (no staff profile: his full name, no employee number), no revision, no score.
CANONICAL_2 = (
    r'{"actor_employee_number":"","actor_name":"Bob Lee","actor_user_id":502,"actor_username":"bob",'
    r'"corrects_seq":null,"data":{"due":"2026-07-15","on_time":false,"version":"2.1"},'
    r'"kind":"acknowledgement","occurred_at":"2026-06-30T09:07:30.250Z","outcome":"acknowledged",'
    r'"page_id":15,"recorded_at":"2026-06-30T09:07:30.250Z","revision_id":null,"score":null,"seq":2,'
    r'"subject_type":"kb.procedurepage",'
    r'"title":"SOP-CS-001 \u5ba2\u6236\u6295\u8a34\u8655\u7406\u7a0b\u5e8f"}'
)
HASH_2 = "1544131096bac868f09b4a8acace7d7e5940a0aef8fedc8e62d884087025a84a"
# Record 1 corrected by an officer: outcome and score changed, the reason kept in data, corrects seq 1.
CANONICAL_3 = (
    r'{"actor_employee_number":"E10001","actor_name":"\u9673\u7f8e\u73b2","actor_user_id":501,'
    r'"actor_username":"alice","corrects_seq":1,"data":{"answers":[1,"b",null,true],'
    r'"correction":{"by_name":"Ken Yuen","by_user_id":503,"by_username":"officer",'
    r'"reason":"\u8a66\u984c\u932f\u914d Question 3 was mis-keyed"},"due":"2026-07-01","on_time":true},'
    r'"kind":"quiz_attempt","occurred_at":"2026-06-30T09:05:09.123Z","outcome":"failed","page_id":42,'
    r'"recorded_at":"2026-06-30T09:10:00.999Z","revision_id":7,"score":"72.00","seq":3,'
    r'"subject_type":"quizzes.quiz","title":"\u53cd\u6d17\u9322\u6e2c\u9a57 AML-2026"}'
)
HASH_3 = "0bfe30dfdabe17ce7e428315ffcc69a8e81fc6c6f78e1f81cc31a41c56db8713"


@pytest.fixture
def people(make_staff):
    alice = UserFactory(id=501, username="alice")
    make_staff("alice", display_name="陳美玲", employee_number="E10001")
    bob = UserFactory(id=502, username="bob", first_name="Bob", last_name="Lee")
    officer = UserFactory(id=503, username="officer", first_name="Ken", last_name="Yuen")
    return alice, bob, officer


def insert(row: dict) -> None:
    """INSERT one ledger row from plain values (no project code computes anything)."""
    values = {**row, "data": json.dumps(row["data"])}
    columns = ", ".join(values)
    marks = ", ".join(
        "%s::jsonb" if c == "data" and connection.vendor == "postgresql" else "%s" for c in values
    )
    params = [
        connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime.datetime) else v
        for v in values.values()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO ledger_record ({columns}) VALUES ({marks})", params)


@pytest.fixture
def known_chain(people):
    common = {
        "actor_id": 501,
        "actor_user_id": 501,
        "actor_username": "alice",
        "actor_name": "陳美玲",
        "actor_employee_number": "E10001",
        "subject_type": "quizzes.quiz",
        "page_id": 42,
        "revision_id": 7,
        "title": "反洗錢測驗 AML-2026",
        "occurred_at": datetime.datetime(2026, 6, 30, 9, 5, 9, 123000, tzinfo=UTC),
    }
    ids = count(9001)
    insert(
        {
            **common,
            "id": next(ids),
            "seq": 1,
            "kind": "quiz_attempt",
            "outcome": "passed",
            "score": Decimal("87.50"),
            "data": {"answers": [1, "b", None, True], "due": "2026-07-01", "on_time": True},
            "recorded_at": datetime.datetime(2026, 6, 30, 9, 6, tzinfo=UTC),
            "corrects_id": None,
            "prev_hash": GENESIS,
            "hash": HASH_1,
        }
    )
    when = datetime.datetime(2026, 6, 30, 9, 7, 30, 250000, tzinfo=UTC)
    insert(
        {
            "id": next(ids),
            "seq": 2,
            "kind": "acknowledgement",
            "actor_id": 502,
            "actor_user_id": 502,
            "actor_username": "bob",
            "actor_name": "Bob Lee",
            "actor_employee_number": "",
            "subject_type": "kb.procedurepage",
            "page_id": 15,
            "revision_id": None,
            "title": "SOP-CS-001 客戶投訴處理程序",
            "outcome": "acknowledged",
            "score": None,
            "data": {"due": "2026-07-15", "on_time": False, "version": "2.1"},
            "occurred_at": when,
            "recorded_at": when,
            "corrects_id": None,
            "prev_hash": HASH_1,
            "hash": HASH_2,
        }
    )
    correction = {
        "by_name": "Ken Yuen",
        "by_user_id": 503,
        "by_username": "officer",
        "reason": "試題錯配 Question 3 was mis-keyed",
    }
    insert(
        {
            **common,
            "id": next(ids),
            "seq": 3,
            "kind": "quiz_attempt",
            "outcome": "failed",
            "score": Decimal("72.00"),
            "data": {
                "answers": [1, "b", None, True],
                "correction": correction,
                "due": "2026-07-01",
                "on_time": True,
            },
            "recorded_at": datetime.datetime(2026, 6, 30, 9, 10, 0, 999000, tzinfo=UTC),
            "corrects_id": 9001,
            "prev_hash": HASH_2,
            "hash": HASH_3,
        }
    )
