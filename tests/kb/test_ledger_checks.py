"""kb's acknowledgement table is checked against the ledger by verify_records (ledger.derived)."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from kb.models import Acknowledgement, PublishedVersion
from kb.services import acknowledge
from ledger.maintenance import ledger_maintenance
from ledger.models import Record

HKT = datetime.timezone(datetime.timedelta(hours=8))


def verify() -> str:
    out = StringIO()
    call_command("verify_records", "--no-anchors", stdout=out)
    return out.getvalue()


def problems() -> list[str]:
    with pytest.raises(CommandError) as caught:
        verify()
    assert caught.value.returncode == 1
    return [line.strip() for line in str(caught.value).splitlines() if line.startswith("  ")]


def sql(statement: str, params: list | None = None) -> None:
    with ledger_maintenance(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


@pytest.fixture
def acks(make_procedure, make_staff) -> list[Acknowledgement]:
    """Two people acknowledge version 1 (published 2026-01-01, due 2026-01-31): one on time, one late."""
    page = make_procedure(ack_due_days=30)
    published = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=HKT)
    PublishedVersion.objects.filter(page_id=page.pk).update(published_at=published)
    on_time, _ = acknowledge(
        user=make_staff("early").user,
        page=page,
        version_number=1,
        at=datetime.datetime(2026, 1, 20, 10, 0, 0, 123456, tzinfo=HKT),
    )
    late, _ = acknowledge(
        user=make_staff("late").user,
        page=page,
        version_number=1,
        at=datetime.datetime(2026, 2, 3, 9, 30, tzinfo=HKT),
    )
    return [on_time, late]


def where(ack: Acknowledgement) -> str:
    return f"kb.acknowledgement id {ack.pk} (user {ack.user_id}, page {ack.page_id} v{ack.version_number})"


def test_rows_that_agree_with_their_records_pass(acks):
    assert [ack.on_time for ack in acks] == [True, False]
    assert "Derived tables agree with the ledger: kb.acknowledgement, courses.coursecompletion." in verify()


def test_a_late_acknowledgement_made_on_time_is_named(acks):
    late = acks[1]
    sql("UPDATE kb_acknowledgement SET on_time = %s WHERE id = %s", [True, late.pk])
    assert problems() == [f"{where(late)}: on_time is True, the record (seq {late.record.seq}) says False"]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            "due_date",
            datetime.date(2026, 3, 1),
            "due_date is 2026-03-01, the record (seq {seq}) says 2026-01-31",
        ),
        (
            "acknowledged_at",
            datetime.datetime(2026, 1, 30, 1, 30, tzinfo=datetime.UTC),
            "acknowledged_at is 2026-01-30T01:30:00+00:00, "
            "the record (seq {seq}) says 2026-02-03T01:30:00+00:00",
        ),
        ("revision_id", 999999, "revision is 999999, the record (seq {seq}) says {revision}"),
        ("version_number", 2, "version is 2, the record (seq {seq}) says 1"),
    ],
)
def test_each_edited_column_is_named(acks, column, value, expected):
    late = acks[1]
    if isinstance(value, datetime.datetime):
        value = connection.ops.adapt_datetimefield_value(value)
    sql(f"UPDATE kb_acknowledgement SET {column} = %s WHERE id = %s", [value, late.pk])
    message = expected.format(seq=late.record.seq, revision=late.revision_id)
    late.refresh_from_db()  # the row description shows the row as it now is
    assert problems() == [f"{where(late)}: {message}"]


def test_a_row_given_to_someone_else_is_named(acks, make_staff):
    late = acks[1]
    other = make_staff("other").user
    sql("UPDATE kb_acknowledgement SET user_id = %s WHERE id = %s", [other.pk, late.pk])
    [problem] = problems()
    assert problem.endswith(f"user is {other.pk}, the record (seq {late.record.seq}) says {late.user_id}")


def test_a_deleted_row_leaves_its_record_without_a_row(acks):
    late = acks[1]
    sql("DELETE FROM kb_acknowledgement WHERE id = %s", [late.pk])
    assert problems() == [
        f"kb.acknowledgement for record seq {late.record.seq}: no row: user {late.user_id}'s "
        f"acknowledgement of page {late.page_id}"
    ]


def test_swapped_record_ids_are_named_by_the_chain_and_the_table(acks):
    """Swap the two acknowledgement records' ids: each row now points at the other person's record."""
    early, late = (Record.objects.get(pk=ack.record_id) for ack in acks)
    sql("UPDATE ledger_record SET id = %s WHERE id = %s", [-early.pk, early.pk])
    sql("UPDATE ledger_record SET id = %s WHERE id = %s", [early.pk, late.pk])
    sql("UPDATE ledger_record SET id = %s WHERE id = %s", [late.pk, -early.pk])
    found = problems()
    assert found[0].startswith(
        f"seq {late.seq} (id {early.pk}): id {early.pk} is not above the previous record's id"
    )
    assert any(p.startswith(where(acks[0])) and "user is" in p for p in found)
    assert any(p.startswith(where(acks[1])) and "on_time is False" in p for p in found)


def test_a_correction_of_an_acknowledgement_needs_no_row(acks, make_staff):
    from ledger.services import record_correct

    record_correct(acks[1].record, by=make_staff("officer").user, reason="錯誤記錄", outcome="voided")
    assert "Derived tables agree with the ledger" in verify()
