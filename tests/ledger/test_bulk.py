"""records_append_bulk: records chained in one transaction; the chain verifies; bad input writes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ledger.models import Outcome, Record, RecordKind
from ledger.services import ERR_ACTOR, ERR_SCORE, record_append, records_append_bulk
from ledger.verification import ledger_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entry(user, n: int, **overrides):
    return {
        "kind": RecordKind.QUIZ_ATTEMPT,
        "actor": user,
        "subject_type": "quizzes.quiz",
        "title": f"反洗錢測驗 {n}",
        "outcome": Outcome.PASSED,
        "score": "85.50",
        "data": {"attempt": n},
        "occurred_at": timezone.now() - datetime.timedelta(days=n),
        **overrides,
    }


def test_bulk_records_continue_the_chain_and_verify(staff):
    first = record_append(**entry(staff.user, 0))
    made = records_append_bulk([entry(staff.user, n) for n in range(1, 51)], batch_size=7)
    after = record_append(**entry(staff.user, 99))
    assert [r.seq for r in made] == list(range(first.seq + 1, first.seq + 51))
    assert made[0].prev_hash == first.hash and after.prev_hash == made[-1].hash
    assert Record.objects.count() == 52
    assert Record.objects.get(seq=made[10].seq).actor_employee_number == "E10001"
    assert ledger_verify(check_derived=False).ok


def test_a_bad_entry_writes_nothing(staff):
    entries = [entry(staff.user, 1), entry(staff.user, 2, score="lots")]
    with pytest.raises(ValidationError) as exc:
        records_append_bulk(entries)
    assert "score" in exc.value.message_dict
    assert not Record.objects.exists()


# --- Edges found by mutation testing ---


def test_an_entry_with_only_the_required_fields(staff):
    contractor = UserFactory(username="contractor", first_name="Pat", last_name="Lee")
    required = {"kind": RecordKind.ACKNOWLEDGEMENT, "subject_type": "kb.procedurepage", "title": "T"}
    [record] = records_append_bulk([{**required, "actor": contractor, "outcome": Outcome.ACKNOWLEDGED}])
    stored = Record.objects.get(pk=record.pk)
    assert (stored.page_id, stored.revision_id, stored.score, stored.data, stored.corrects) == (
        None,
        None,
        None,
        {},
        None,
    )
    assert stored.occurred_at == stored.recorded_at
    assert (stored.actor_name, stored.actor_employee_number) == ("Pat Lee", "")
    assert ledger_verify(check_derived=False).ok


@pytest.mark.parametrize("actor", [None, "unsaved", "a username"])
def test_an_entry_without_a_saved_actor_writes_nothing(staff, actor):
    """An import that gives a username (or an unsaved user) instead of a user is refused, naming the field."""
    if actor == "unsaved":
        actor = UserFactory.build(username="visitor")
    elif actor == "a username":
        actor = "alice"
    with pytest.raises(ValidationError) as caught:
        records_append_bulk([entry(staff.user, 1), entry(actor, 2)])
    assert caught.value.message_dict == {"actor": [ERR_ACTOR]}
    assert not Record.objects.exists()


def test_a_bad_entry_is_refused_with_the_messages_record_append_gives(staff):
    with pytest.raises(ValidationError) as caught:
        records_append_bulk([entry(staff.user, 1, score="lots", data={"ratio": 0.5})])
    assert caught.value.message_dict == {
        "score": [ERR_SCORE],
        "data": [
            "data.ratio: float is not allowed (use str, int, bool, None, list or dict); write exact numbers "
            'as strings, e.g. "85.50".'
        ],
    }
