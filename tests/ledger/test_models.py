from __future__ import annotations

import pytest
from django.db import transaction

from ledger.models import LedgerImmutableError, Record
from ledger.verification import ledger_verify

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
