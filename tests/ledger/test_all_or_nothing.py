"""The ledger's own multi-row writes are all-or-nothing (issue 15 item 4): a correction, a JSON restore.

The last database write of each fails (tests/halfway.py); afterwards the database is as before and the
chain verifies. (A native SQLite restore is one call of SQLite's backup API, not SQL statements: SQLite
itself makes it all-or-nothing, so it is not injected here; a PostgreSQL restore is --single-transaction.)
"""

from __future__ import annotations

import pytest

from ledger.backup import backup_create, backup_restore
from ledger.models import Record
from ledger.services import record_correct
from ledger.verification import ledger_verify
from tests.factories import UserFactory
from tests.halfway import changed_tables, database_snapshot, fail_on_last_write


def test_a_correction(append):
    original = append(data={"due": "2026-07-01", "on_time": True})
    officer = UserFactory(username="officer")
    before = database_snapshot()

    fail_on_last_write(lambda: record_correct(original, by=officer, reason="錯誤記錄", outcome="voided"))

    assert changed_tables(before, database_snapshot()) == []
    correction = record_correct(original, by=officer, reason="錯誤記錄", outcome="voided")  # still allowed
    assert correction.corrects_id == original.pk


@pytest.mark.django_db(transaction=True)
def test_a_json_restore(append, tmp_path):
    append(title="在備份之前")
    path = tmp_path / "copy.json"
    backup_create(path, fmt="json")
    append(title="在備份之後")  # the restore would remove it
    before = database_snapshot()

    assert fail_on_last_write(lambda: backup_restore(path)) > 10

    assert changed_tables(before, database_snapshot()) == []
    assert list(Record.objects.order_by("seq").values_list("title", flat=True)) == [
        "在備份之前",
        "在備份之後",
    ]
    assert ledger_verify().ok
