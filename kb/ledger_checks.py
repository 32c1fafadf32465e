"""kb's acknowledgement table checked against the ledger (registered in ``KbConfig.ready``).

The trace view, the dashboards and the due-date reports read ``Acknowledgement`` rows, not the ledger, so
an edited row (a late acknowledgement made "on time") would go unseen; ``verify_records`` runs this.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kb.models import Acknowledgement, ProcedurePage, RegulationUpdatePage
from ledger.derived import as_millisecond, disagreements, records_without_rows, rows_with_records
from ledger.models import RecordKind

ACKNOWLEDGED_TYPES = (ProcedurePage._meta.label_lower, RegulationUpdatePage._meta.label_lower)
ROW_FIELDS = (
    "pk",
    "user_id",
    "page_id",
    "version_number",
    "revision_id",
    "record_id",
    "acknowledged_at",
    "due_date",
    "on_time",
)
RECORD_FIELDS = ("pk", "seq", "kind", "actor_user_id", "page_id", "revision_id", "occurred_at", "data")


def acknowledgement_mismatches(using: str) -> Iterator[tuple[str, str]]:
    """Every row has its record and says what it says; every kb acknowledgement record has its row."""
    table = Acknowledgement.objects.using(using)
    for row, record in rows_with_records(table.values(*ROW_FIELDS), RECORD_FIELDS, using):
        where = f"id {row['pk']} (user {row['user_id']}, page {row['page_id']} v{row['version_number']})"
        for problem in _row_problems(row, record):
            yield where, problem
    orphans = records_without_rows(
        table, kind=RecordKind.ACKNOWLEDGEMENT, subject_types=ACKNOWLEDGED_TYPES, using=using
    )
    for seq, user_id, page_id in orphans:
        yield f"for record seq {seq}", f"no row: user {user_id}'s acknowledgement of page {page_id}"


def _row_problems(row: dict[str, Any], record: dict[str, Any] | None) -> list[str]:
    if record is None:
        return [f"its record (id {row['record_id']}) is not in the ledger"]
    seq = record["seq"]
    if record["kind"] != RecordKind.ACKNOWLEDGEMENT:
        return [f"its record (seq {seq}) is a {record['kind']} record, not an acknowledgement"]
    if not isinstance(data := record["data"], dict) or record["occurred_at"] is None:
        return [f"its record (seq {seq}) cannot be read (see that record's problem)"]
    version = str(data.get("version", "")).split(".")[0]
    due = row["due_date"].isoformat() if row["due_date"] else None
    pairs = [
        ("user", row["user_id"], record["actor_user_id"]),
        ("page", row["page_id"], record["page_id"]),
        ("revision", row["revision_id"], record["revision_id"]),
        ("version", str(row["version_number"]), version),
        ("acknowledged_at", as_millisecond(row["acknowledged_at"]), as_millisecond(record["occurred_at"])),
        ("due_date", due, data.get("due")),
        ("on_time", row["on_time"], data.get("on_time")),
    ]
    return disagreements(pairs, seq)
