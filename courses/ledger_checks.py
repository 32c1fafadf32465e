"""The completion table checked against the ledger (registered in ``CoursesConfig.ready``).

Pages, certificates and the verification page read ``CourseCompletion`` rows; ``verify_records`` runs this so
that an edited row (a later valid-until, a better score) does not go unseen.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from courses.models import CourseCompletion, CoursePage
from ledger.derived import as_millisecond, disagreements, records_without_rows, rows_with_records
from ledger.models import Record, RecordKind

SUBJECT = CoursePage._meta.label_lower
ROW_FIELDS = (
    "pk",
    "user_id",
    "course_page_id",
    "revision_id",
    "cycle",
    "completed_at",
    "score",
    "valid_until",
    "code",
    "record_id",
)
RECORD_FIELDS = (
    "pk",
    "seq",
    "kind",
    "actor_user_id",
    "page_id",
    "revision_id",
    "occurred_at",
    "score",
    "data",
)


def completion_mismatches(using: str) -> Iterator[tuple[str, str]]:
    """Every row has its record and says what it says; every course completion record has its row."""
    table = CourseCompletion.objects.using(using)
    for row, record in rows_with_records(table.values(*ROW_FIELDS), RECORD_FIELDS, using):
        where = f"id {row['pk']} (user {row['user_id']}, course {row['course_page_id']} cycle {row['cycle']})"
        for problem in _row_problems(row, record):
            yield where, problem
    orphans = records_without_rows(table, kind=RecordKind.COMPLETION, subject_types=[SUBJECT], using=using)
    for seq, user_id, page_id in orphans:
        yield f"for record seq {seq}", f"no row: user {user_id}'s completion of course {page_id}"


def completion_problems(completion: CourseCompletion) -> list[str]:
    """What is wrong with one completion: its record's hash, or a disagreement with its record."""
    record = Record.objects.with_corrects_seq().get(pk=completion.record_id)
    problems = (
        [] if record.hash == record.compute_hash() else [f"record seq {record.seq}: hash does not match"]
    )
    row = {name: getattr(completion, name) for name in ROW_FIELDS if name != "pk"}
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    return problems + _row_problems(row, values)


def _row_problems(row: dict[str, Any], record: dict[str, Any] | None) -> list[str]:
    if record is None:
        return [f"its record (id {row['record_id']}) is not in the ledger"]
    seq = record["seq"]
    if record["kind"] != RecordKind.COMPLETION:
        return [f"its record (seq {seq}) is a {record['kind']} record, not a completion"]
    if not isinstance(data := record["data"], dict) or record["occurred_at"] is None:
        return [f"its record (seq {seq}) cannot be read (see that record's problem)"]
    pairs = [
        ("user", row["user_id"], record["actor_user_id"]),
        ("course", row["course_page_id"], record["page_id"]),
        ("revision", row["revision_id"], record["revision_id"]),
        ("cycle", row["cycle"], data.get("cycle")),
        ("completed_at", as_millisecond(row["completed_at"]), as_millisecond(record["occurred_at"])),
        ("score", _dec(row["score"]), _dec(record["score"])),
        (
            "valid_until",
            row["valid_until"].isoformat() if row["valid_until"] else None,
            data.get("valid_until"),
        ),
        ("code", row["code"], data.get("code")),
    ]
    return disagreements(pairs, seq)


def _dec(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"
