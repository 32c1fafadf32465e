from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from ledger.models import GENESIS_HASH, Outcome, Record, RecordKind, chain_hash
from ledger.services import (
    ERR_ACTOR,
    ERR_ALREADY_CORRECTED,
    ERR_CORRECTS,
    ERR_FUTURE,
    ERR_NAIVE,
    ERR_REASON,
    ERR_SCORE,
    record_append,
    record_correct,
)
from ledger.verification import ledger_verify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_append_builds_a_chain(append, staff):
    first = append()
    second = append(kind=RecordKind.QUIZ_ATTEMPT, outcome=Outcome.PASSED, score=Decimal("87.5"))
    third = append(kind=RecordKind.COMPLETION, outcome=Outcome.COMPLETED, data={"course": "C-01"})

    assert [r.seq for r in Record.objects.all()] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert second.hash == chain_hash(first.hash, second.canonical_json())
    assert ledger_verify().ok


def test_append_snapshots_the_actor_and_content(append, staff):
    record = append(score=90)
    stored = Record.objects.get(pk=record.pk)
    assert stored.actor == staff.user
    assert stored.actor_user_id == staff.user.pk
    assert stored.actor_username == "alice"
    assert stored.actor_name == "陳美玲"
    assert stored.actor_employee_number == "E10001"
    assert (stored.subject_type, stored.page_id, stored.revision_id) == ("kb.procedurepage", 42, 7)
    assert stored.title == "客戶投訴處理程序"
    assert stored.score == Decimal("90.00")
    assert stored.occurred_at == stored.recorded_at
    assert stored.occurred_at.tzinfo is not None


def test_stored_row_hashes_the_same_as_the_written_one(append):
    """Values are stored as hashed (Decimal places, UTC, whole milliseconds, JSON) and come back the same."""
    when = datetime.datetime(
        2025, 6, 30, 17, 5, 9, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
    record = append(
        score="75.5", occurred_at=when, data={"answers": [1, "b", None, True], "n": {"z": 1, "a": 2}}
    )
    stored = Record.objects.get(pk=record.pk)
    assert stored.canonical_json() == record.canonical_json()
    assert stored.compute_hash() == stored.hash
    assert stored.occurred_at == when.replace(microsecond=123000)  # cut, as Django's JSON dump would
    assert stored.recorded_at.microsecond % 1000 == 0
    assert '"occurred_at":"2025-06-30T09:05:09.123Z"' in stored.canonical_json()
    assert '"score":"75.50"' in stored.canonical_json()


def test_user_without_profile_uses_full_name():
    user = UserFactory(username="contractor", first_name="Pat", last_name="Lee")
    record = record_append(
        kind=RecordKind.REVIEW,
        actor=user,
        subject_type="people.staffprofile",
        title="Review",
        outcome="approved",
    )
    assert (record.actor_name, record.actor_employee_number) == ("Pat Lee", "")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "bribe"}, "kind"),
        ({"outcome": "maybe"}, "outcome"),
        ({"title": ""}, "title"),
        ({"subject_type": ""}, "subject_type"),
        ({"score": "lots"}, "score"),
        ({"score": Decimal("12345.67")}, "score"),
        ({"score": Decimal("1.234")}, "score"),
        ({"score": -1}, "score"),
        ({"data": {"ratio": 0.5}}, "data"),
        ({"data": {1: "x"}}, "data"),
        ({"data": ["not", "a", "dict"]}, "data"),
        ({"occurred_at": datetime.datetime(2025, 1, 1)}, "occurred_at"),
        ({"actor": None}, "actor"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(append, overrides, field):
    with pytest.raises(ValidationError) as caught:
        append(**overrides)
    assert field in caught.value.message_dict
    assert not Record.objects.exists()


def test_future_occurrence_is_refused(append):
    with pytest.raises(ValidationError) as caught:
        append(occurred_at=timezone.now() + datetime.timedelta(hours=1))
    assert caught.value.message_dict == {"occurred_at": [ERR_FUTURE]}


def test_data_error_names_the_nested_path(append):
    with pytest.raises(ValidationError, match=r"data\.answers\[1\]: float"):
        append(data={"answers": [1, 2.5]})


def test_append_inside_an_outer_transaction_rolls_back_with_it(append):
    append()
    with pytest.raises(RuntimeError), transaction.atomic():
        append()
        raise RuntimeError("progress update failed")
    assert list(Record.objects.values_list("seq", flat=True)) == [1]
    assert append().seq == 2
    assert ledger_verify().ok


def test_append_query_count(append, staff, django_assert_num_queries):
    """SAVEPOINT (the test's transaction is outside), profile, [advisory lock], head, INSERT, RELEASE."""
    append()
    actor = get_user_model().objects.get(pk=staff.user.pk)  # no cached profile
    expected = 6 if connection.vendor == "postgresql" else 5
    with django_assert_num_queries(expected):
        append(actor=actor)
    with django_assert_num_queries(expected - 1):  # the profile is now cached on the user
        append(actor=actor)


def test_correction_points_at_the_original_which_stays_unchanged(append, staff):
    original = append(kind=RecordKind.QUIZ_ATTEMPT, outcome=Outcome.FAILED, score=40)
    before = Record.objects.filter(pk=original.pk).values().get()
    officer = UserFactory(username="officer")

    correction = record_correct(
        original, by=officer, reason="Question 3 was mis-keyed", outcome="passed", score=80
    )

    assert Record.objects.filter(pk=original.pk).values().get() == before
    assert correction.corrects == original
    assert correction.seq == original.seq + 1
    assert (correction.kind, correction.outcome, correction.score) == (
        "quiz_attempt",
        "passed",
        Decimal("80.00"),
    )
    assert correction.actor == staff.user  # still about the same person
    assert correction.occurred_at == original.occurred_at
    assert correction.data["correction"] == {
        "reason": "Question 3 was mis-keyed",
        "by_user_id": officer.pk,
        "by_username": "officer",
        "by_name": "",
    }
    assert list(original.corrections.all()) == [correction]
    assert list(Record.objects.current()) == [correction]
    assert ledger_verify().ok


def test_correction_needs_a_reason_and_only_known_fields(append):
    original = append()
    officer = UserFactory(username="officer")
    with pytest.raises(ValidationError) as caught:
        record_correct(original, by=officer, reason="  ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record_correct(original, by=officer, reason="typo", seq=99, actor_username="mallory")
    assert set(caught.value.message_dict) == {"actor_username", "seq"}
    assert Record.objects.count() == 1


def test_a_corrected_record_cannot_be_corrected_twice(append):
    original = append()
    officer = UserFactory(username="officer")
    first = record_correct(original, by=officer, reason="wrong revision", revision_id=8)
    with pytest.raises(ValidationError) as caught:
        record_correct(original, by=officer, reason="again", revision_id=9)
    assert caught.value.message_dict == {"corrects": [ERR_ALREADY_CORRECTED.format(seq=1, by=2)]}
    second = record_correct(first, by=officer, reason="voided", outcome=Outcome.VOIDED)
    assert second.corrects == first
    assert Record.objects.count() == 3
    assert ledger_verify().ok


def test_deleting_the_actor_keeps_the_record(append, staff):
    record = append()
    user = staff.user
    staff.delete()  # profiles are PROTECTed; HR deactivates them, but a user can still be removed
    user.delete()

    stored = Record.objects.get(pk=record.pk)
    assert stored.actor is None
    assert (stored.actor_user_id, stored.actor_username, stored.actor_name) == (
        record.actor_user_id,
        "alice",
        "陳美玲",
    )
    assert stored.actor_employee_number == "E10001"
    assert ledger_verify().ok


def test_correcting_a_record_whose_actor_was_deleted_keeps_the_snapshots():
    user = UserFactory(username="leaver", first_name="Lee", last_name="Ho")
    original = record_append(
        kind=RecordKind.ACKNOWLEDGEMENT,
        actor=user,
        subject_type="kb.procedurepage",
        title="T",
        outcome="acknowledged",
    )
    user.delete()
    original.refresh_from_db()
    correction = record_correct(original, by=UserFactory(username="officer"), reason="wrong page", page_id=5)
    assert correction.actor_id is None
    assert (correction.actor_username, correction.actor_name) == ("leaver", "Lee Ho")
    assert ledger_verify().ok


def test_sqlite_without_immediate_transactions_is_refused(append, monkeypatch):
    """DEFERRED transactions would let two writers read the same head; the service will not run that way."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite configuration check")
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"timeout": 20})
    with pytest.raises(ImproperlyConfigured) as caught:
        append()
    assert str(caught.value) == (
        'The ledger needs SQLite OPTIONS["transaction_mode"] = "IMMEDIATE" to serialise writers.'
    )
    assert not Record.objects.exists()
    # EXCLUSIVE also holds the single write lock from the start of the transaction: allowed
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"transaction_mode": "EXCLUSIVE"})
    assert append().seq == 1


def test_corrects_given_to_record_append_is_checked_too(append):
    original = append()
    append(corrects=original, title="amended")
    with pytest.raises(ValidationError, match="already been corrected"):
        append(corrects=original, title="amended again")
    assert Record.objects.count() == 2


def test_each_refused_correction_names_its_field_and_says_why(append):
    """What a compliance officer sees when a correction is refused (mutation testing, docs/testing.md)."""
    original = append()
    officer = UserFactory(username="officer")
    cases = [
        (
            {"original": original, "by": officer, "seq": 99},
            {"seq": ["This field cannot be changed by a correction."]},
        ),
        ({"original": None, "by": officer}, {"corrects": [ERR_CORRECTS]}),
        ({"original": Record(title="never saved"), "by": officer}, {"corrects": [ERR_CORRECTS]}),
        ({"original": original, "by": None}, {"by": [ERR_ACTOR]}),
        ({"original": original, "by": UserFactory.build(username="unsaved")}, {"by": [ERR_ACTOR]}),
        ({"original": original, "by": object()}, {"by": [ERR_ACTOR]}),
        ({"original": original, "by": officer, "reason": None}, {"reason": [ERR_REASON]}),
        (
            {"original": original, "by": officer, "data": ["2026-07-02"]},
            {"data": ["data: must be a dictionary."]},
        ),
    ]
    for arguments, expected in cases:
        arguments = dict(arguments)
        arguments.setdefault("reason", "錯誤記錄")
        with pytest.raises(ValidationError) as caught:
            record_correct(arguments.pop("original"), by=arguments.pop("by"), **arguments)
        assert caught.value.message_dict == expected
    assert Record.objects.count() == 1


def test_a_correction_names_who_made_it_as_the_ledger_shows_people(append, make_staff):
    original = append()
    with_profile = make_staff("officer", display_name="合規主任 何家欣").user
    without_profile = UserFactory(username="auditor", first_name="志明", last_name="黃")
    nameless = UserFactory(username="robot", first_name="", last_name="")

    first = record_correct(original, by=with_profile, reason="錯誤記錄", outcome=Outcome.VOIDED)
    second = record_correct(first, by=without_profile, reason="復原", outcome=Outcome.ACKNOWLEDGED)
    third = record_correct(second, by=nameless, reason="再次更正", title="更正後標題")

    assert first.data["correction"] == {
        "reason": "錯誤記錄",
        "by_user_id": with_profile.pk,
        "by_username": "officer",
        "by_name": "合規主任 何家欣",
    }
    assert second.data["correction"]["by_name"] == without_profile.get_full_name().strip() != ""
    assert third.data["correction"]["by_name"] == ""


def test_a_correction_of_data_carries_the_new_data_and_keeps_the_rest(append):
    original = append(data={"version": "2", "due": "2026-07-01", "on_time": False}, title="客戶投訴處理程序")
    officer = UserFactory(username="officer")
    correction = record_correct(
        original, by=officer, reason="到期日計錯", data={"version": "2", "due": "2026-07-15", "on_time": True}
    )
    assert {k: v for k, v in correction.data.items() if k != "correction"} == {
        "version": "2",
        "due": "2026-07-15",
        "on_time": True,
    }
    assert correction.data["correction"]["reason"] == "到期日計錯"
    assert (correction.title, correction.actor_id, correction.kind) == (
        original.title,
        original.actor_id,
        original.kind,
    )
    kept = record_correct(correction, by=officer, reason="標題", title="新標題")
    assert kept.data["due"] == "2026-07-15" and kept.data["correction"]["reason"] == "標題"


PLAIN = "(use str, int, bool, None, list or dict)"
EXACT = '; write exact numbers as strings, e.g. "85.50"'


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"note": "客戶\x00來電"}, "data.note: NUL characters are not allowed."),
        ({"answers": [1, {"x": 0.5}]}, f"data.answers[1].x: float is not allowed {PLAIN}{EXACT}."),
        ({"score": Decimal("1.5")}, f"data.score: Decimal is not allowed {PLAIN}{EXACT}."),
        ({"when": datetime.date(2026, 7, 1)}, f"data.when: date is not allowed {PLAIN}."),
        ({"ids": {3: "x"}}, "data.ids: key 3 is not a string."),
        ([1], "data: must be a dictionary."),
    ],
)
def test_each_data_error_says_where_and_what(append, data, message):
    """What an integrator sees when evidence data would not survive a round trip (mutation survivors)."""
    with pytest.raises(ValidationError) as caught:
        append(data=data)
    assert caught.value.message_dict == {"data": [message]}
    assert not Record.objects.exists()


def test_data_is_stored_as_plain_json(append):
    record = append(data={"answers": (1, "b", None, True), "nested": {"due": "2026-07-01", "n": [0]}})
    expected = {"answers": [1, "b", None, True], "nested": {"due": "2026-07-01", "n": [0]}}
    assert record.data == expected
    assert Record.objects.get(pk=record.pk).data == expected
    assert ledger_verify().ok


# --- Edges found by mutation testing (record_append, _validate, _to_decimal) ---

NOW = datetime.datetime(2026, 6, 30, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("ledger.services.timezone.now", lambda: NOW)


def test_occurred_at_may_be_at_most_five_minutes_ahead_of_the_clock(append, frozen):
    """App servers' clocks differ a little; further ahead is refused (FUTURE_TOLERANCE)."""
    ahead = append(occurred_at=NOW + datetime.timedelta(minutes=5))
    assert (ahead.occurred_at, ahead.recorded_at) == (NOW + datetime.timedelta(minutes=5), NOW)
    assert append(occurred_at=NOW + datetime.timedelta(minutes=1)).seq == 2
    with pytest.raises(ValidationError) as caught:
        append(occurred_at=NOW + datetime.timedelta(minutes=5, milliseconds=1))
    assert caught.value.message_dict == {"occurred_at": [ERR_FUTURE]}
    assert Record.objects.count() == 2


@pytest.mark.parametrize(
    "score", ["lots", "", 87.5, True, "NaN", "-Infinity", Decimal("NaN"), Decimal("Infinity"), [85]]
)
def test_a_score_that_is_not_an_exact_finite_number_is_refused(append, score):
    with pytest.raises(ValidationError) as caught:
        append(score=score)
    assert caught.value.message_dict == {"score": [ERR_SCORE]}
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    ("score", "stored"), [(85, "85.00"), ("85.5", "85.50"), (" 72 ", "72.00"), (Decimal("0"), "0.00")]
)
def test_a_score_is_stored_with_two_decimals(append, score, stored):
    record = append(score=score)
    assert str(Record.objects.get(pk=record.pk).score) == stored
    assert f'"score":"{stored}"' in record.canonical_json()


def test_every_bad_field_is_named_at_once_with_its_message(append):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        append(score="lots", data=[1], occurred_at=datetime.datetime(2026, 6, 30, 9, 0), title="")
    with translation.override("en"):
        messages = caught.value.message_dict
    assert messages == {
        "score": [ERR_SCORE],
        "data": ["data: must be a dictionary."],
        "occurred_at": [ERR_NAIVE],
        "title": ["This field cannot be blank."],
    }
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"actor": None}, {"actor": [ERR_ACTOR]}),
        ({"actor": object()}, {"actor": [ERR_ACTOR]}),
        ({"corrects": Record(title="never saved")}, {"corrects": [ERR_CORRECTS]}),
        ({"corrects": Record(id=987654)}, {"corrects": [ERR_CORRECTS]}),
    ],
    ids=["no-actor", "not-a-user", "unsaved-record", "record-without-seq"],
)
def test_an_actor_or_a_corrected_record_that_is_not_saved_is_refused(append, overrides, expected):
    with pytest.raises(ValidationError) as caught:
        append(**overrides)
    assert caught.value.message_dict == expected
    assert not Record.objects.exists()


def test_an_unsaved_user_is_not_an_actor(append):
    with pytest.raises(ValidationError) as caught:
        append(actor=UserFactory.build(username="visitor"))
    assert caught.value.message_dict == {"actor": [ERR_ACTOR]}


def test_a_record_without_data_stores_an_empty_object(append):
    record = append()
    assert Record.objects.get(pk=record.pk).data == {}
    assert '"data":{}' in record.canonical_json()


def test_a_second_correction_is_refused_naming_records_by_seq_not_id(known_chain):
    """The hand-made chain has ids 9001–9003 for seqs 1–3: the officer is told seqs, as the ledger shows."""
    original = Record.objects.get(seq=1)
    with pytest.raises(ValidationError) as caught:
        record_correct(original, by=UserFactory(username="auditor"), reason="再次更正", outcome="voided")
    assert caught.value.message_dict == {
        "corrects": ["Record #1 has already been corrected by record #3; correct that one instead."]
    }
    assert Record.objects.count() == 3
