from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from ledger.models import LedgerImmutableError, Record, canonical_dumps, to_millisecond
from ledger.services import record_correct
from ledger.verification import ledger_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def snapshot() -> list[dict]:
    return list(Record.objects.order_by("seq").values())


@pytest.fixture
def three(append):
    return [append(), append(title="第二份文件"), append(title="第三份文件")]


def test_save_on_an_existing_record_is_refused(three):
    before = snapshot()
    record = Record.objects.get(seq=2)
    record.title = "edited"
    with pytest.raises(LedgerImmutableError, match="cannot be changed"):
        record.save()
    with pytest.raises(LedgerImmutableError):
        record.save(update_fields=["title"])
    assert snapshot() == before


def test_delete_is_refused(three):
    before = snapshot()
    with pytest.raises(LedgerImmutableError, match="cannot be deleted"):
        three[1].delete()
    assert snapshot() == before


@pytest.mark.parametrize(
    "action",
    [
        lambda: Record.objects.filter(seq=2).update(title="edited"),
        lambda: Record.objects.all().delete(),
        lambda: Record.objects.bulk_update(list(Record.objects.all()), ["title"]),
        lambda: Record.objects.get(seq=1).actor.ledger_records.all().delete(),
        lambda: Record.objects.bulk_create([Record(seq=4, title="forged")]),
    ],
    ids=["update", "delete", "bulk_update", "related-manager-delete", "bulk_create"],
)
def test_queryset_writes_are_refused(three, action):
    before = snapshot()
    with pytest.raises(LedgerImmutableError):
        action()
    assert snapshot() == before


def test_records_cannot_be_created_outside_the_service(three, staff):
    before = snapshot()
    with pytest.raises(LedgerImmutableError, match="record_append"), transaction.atomic():
        Record.objects.create(
            seq=4,
            kind="acknowledgement",
            actor=staff.user,
            actor_user_id=staff.user.pk,
            actor_username="alice",
            subject_type="kb.procedurepage",
            title="forged",
            outcome="acknowledged",
            prev_hash=three[-1].hash,
            hash="f" * 64,
        )
    assert snapshot() == before
    assert ledger_verify().ok


def test_only_view_permission_exists():
    assert Record._meta.default_permissions == ("view",)


# --- Edges found by mutation testing ---


def test_current_gives_the_latest_word_on_each_event(append):
    first, second = append(title="第一份"), append(title="第二份")
    officer = UserFactory(username="officer")
    corrected = record_correct(first, by=officer, reason="錯誤記錄", title="第一份（更正）")
    again = record_correct(corrected, by=officer, reason="再次更正", outcome="voided")
    assert list(Record.objects.current()) == [second, again]
    assert list(Record.objects.filter(corrections__isnull=False)) == [first, corrected]


def test_the_actor_label_is_the_name_or_else_the_username(append, staff):
    assert append().actor_label() == "陳美玲"
    assert Record(actor_username="contractor", actor_name="").actor_label() == "contractor"


def test_times_are_cut_to_the_millisecond_in_utc():
    hkt = datetime.timezone(datetime.timedelta(hours=8))
    assert to_millisecond(datetime.datetime(2026, 6, 30, 17, 5, 9, 123456, tzinfo=hkt)) == (
        datetime.datetime(2026, 6, 30, 9, 5, 9, 123000, tzinfo=datetime.UTC)
    )
    last = to_millisecond(datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC))
    assert (last.second, last.microsecond) == (59, 999000)
    with pytest.raises(ValueError) as caught:
        to_millisecond(datetime.datetime(2026, 6, 30, 9, 5, 9))
    assert str(caught.value) == "naive datetime in a ledger record"


def test_the_canonical_form_refuses_what_json_cannot_say_exactly():
    """No NaN (not JSON; a raw-SQL NaN in ``data`` is reported "cannot be hashed") and no other types."""
    with pytest.raises(ValueError, match=r"^Out of range float values are not JSON compliant"):
        canonical_dumps({"data": {"ratio": float("nan")}})
    with pytest.raises(TypeError) as caught:
        canonical_dumps({"data": {"due": datetime.date(2026, 7, 1)}})
    assert str(caught.value) == "date is not allowed in a ledger record"
