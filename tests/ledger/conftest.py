from __future__ import annotations

from typing import Any

import pytest

from ledger import derived
from ledger.models import Outcome, Record, RecordKind
from ledger.services import record_append
from tests.ledger.known import known_chain, people  # noqa: F401  (fixtures)


@pytest.fixture
def staff(make_staff):
    """A member of staff with a profile (so the name and employee number snapshots are filled)."""
    return make_staff("alice", display_name="陳美玲", employee_number="E10001")


@pytest.fixture
def append(staff):
    """append(**overrides) -> Record: an acknowledgement by ``staff`` unless overridden."""

    def do(**overrides: Any) -> Record:
        fields = {
            "kind": RecordKind.ACKNOWLEDGEMENT,
            "actor": staff.user,
            "subject_type": "kb.procedurepage",
            "page_id": 42,
            "revision_id": 7,
            "title": "客戶投訴處理程序",
            "outcome": Outcome.ACKNOWLEDGED,
            **overrides,
        }
        return record_append(**fields)

    return do


@pytest.fixture
def derived_tables():
    """Keep the derived-table checkers that apps register (kb's acknowledgements) for this test."""


@pytest.fixture(autouse=True)
def ledger_alone(request, monkeypatch):
    """Ledger tests check the ledger alone (kb's checker would miss the rows these records lack)."""
    if "derived_tables" not in request.fixturenames:
        monkeypatch.setattr(derived, "_checkers", {})
