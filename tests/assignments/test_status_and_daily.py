"""Status transitions (progress, on time, late, overdue, expiry) and the daily run's idempotence."""

import dataclasses
import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from assignments import registry
from assignments.daily import daily_run
from assignments.models import Obligation, SentReminder, Status
from assignments.registry import Owed
from assignments.services import (
    Changes,
    obligation_assign,
    obligation_fulfil,
    obligation_progress,
    obligations_reopen,
    target_materialise,
)
from core.dates import add_months
from ledger.models import Outcome, RecordKind
from ledger.services import record_append
from notifications.models import EmailDelivery, Notification
from notifications.services import preference_set

DAY = datetime.timedelta(days=1)


def at_noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def test_progress_then_on_time_completion(make_staff, make_rule, course):
    person = make_staff("p")
    make_rule(audience_all=True, due_days=30)
    obligation_progress(user=person.user, target=course, done=2, total=5)
    ob = Obligation.objects.get()
    assert (ob.status, ob.progress_percent) == (Status.IN_PROGRESS, 40)
    [done] = obligation_fulfil(user=person.user, target=course, at=timezone.now())
    assert done.status == Status.COMPLETED_ON_TIME and done.progress_percent == 100
    assert obligation_fulfil(user=person.user, target=course, at=timezone.now()) == []  # idempotent


def test_late_completion(make_staff, make_rule, course):
    person = make_staff("p")
    make_rule(audience_all=True, due_kind="fixed", due_date=timezone.localdate() + 3 * DAY)
    [done] = obligation_fulfil(user=person.user, target=course, at=at_noon(timezone.localdate() + 4 * DAY))
    assert done.status == Status.COMPLETED_LATE


def test_completion_on_the_due_date_is_on_time(make_staff, make_rule, course):
    person = make_staff("p")
    due = timezone.localdate() + 3 * DAY
    make_rule(audience_all=True, due_kind="fixed", due_date=due)
    [done] = obligation_fulfil(user=person.user, target=course, at=at_noon(due))
    assert done.status == Status.COMPLETED_ON_TIME


def test_daily_run_marks_overdue_and_is_idempotent(make_staff, make_rule):
    boss = make_staff("boss")
    person = make_staff("p", supervisor=boss)
    make_rule(audience_all=True, due_days=10)
    ob = Obligation.objects.get(person=person)
    today = timezone.localdate()

    daily_run(today + 3 * DAY)  # due in 7 days
    assert set(SentReminder.objects.values_list("kind", flat=True)) == {SentReminder.REMINDER_7}
    first = Notification.objects.count()
    assert first == 2  # boss and person each owe it
    daily_run(today + 3 * DAY)
    assert Notification.objects.count() == first  # nothing new the second time

    daily_run(today + 9 * DAY)  # due tomorrow
    daily_run(today + 9 * DAY)
    assert SentReminder.objects.filter(obligation=ob, kind=SentReminder.REMINDER_1).count() == 1

    report = daily_run(today + 11 * DAY)  # the day after: overdue, escalated to the supervisor
    ob.refresh_from_db()
    assert ob.status == Status.OVERDUE and report.overdue == 2
    escalation = Notification.objects.get(user=boss.user, title__contains="1")
    assert "p" in escalation.body or person.display_name in escalation.body
    sent = SentReminder.objects.count()
    mails = EmailDelivery.objects.count()
    again = daily_run(today + 11 * DAY)
    assert SentReminder.objects.count() == sent and EmailDelivery.objects.count() == mails
    assert again.reminders == {} and again.overdue == 0


def test_late_completion_after_overdue(make_staff, make_rule, course):
    person = make_staff("p")
    make_rule(audience_all=True, due_days=1)
    daily_run(timezone.localdate() + 5 * DAY)
    assert Obligation.objects.get().status == Status.OVERDUE
    [done] = obligation_fulfil(user=person.user, target=course, at=at_noon(timezone.localdate() + 5 * DAY))
    assert done.status == Status.COMPLETED_LATE


def test_recurrence_renews_before_expiry_and_expires(make_staff, make_rule, course):
    person = make_staff("p")
    rule = make_rule(audience_all=True, due_days=30, recurrence_months=12)
    [done] = obligation_fulfil(user=person.user, target=course, at=timezone.now())
    assert done.valid_until is not None
    valid_until = done.valid_until
    daily_run(valid_until - 31 * DAY)
    assert rule.obligations.count() == 1  # not yet
    daily_run(valid_until - 30 * DAY)
    renewed = rule.obligations.get(cycle=2)
    assert renewed.due_date == valid_until and renewed.status == Status.NOT_STARTED
    daily_run(valid_until + DAY)
    done.refresh_from_db()
    assert done.status == Status.EXPIRED
    daily_run(valid_until + DAY)
    assert rule.obligations.count() == 2  # no third cycle


def test_reopen_for_a_refresher_keeps_history(make_staff, make_rule, course):
    person = make_staff("p")
    make_rule(audience_all=True)
    obligation_fulfil(user=person.user, target=course, at=timezone.now() - 10 * DAY)
    assert obligations_reopen(target=course, completed_before=timezone.now(), reason="課程內容更新") == 1
    assert obligations_reopen(target=course, completed_before=timezone.now(), reason="again") == 0
    statuses = sorted(Obligation.objects.values_list("cycle", "status"))
    assert statuses == [(1, Status.EXPIRED), (2, Status.NOT_STARTED)]


def test_digest_preference_batches_reminders_and_none_silences_optional(make_staff, make_rule):
    digest = make_staff("digest")
    quiet = make_staff("quiet")
    preference_set(digest.user, "digest")
    preference_set(quiet.user, "none")
    make_rule("必修", audience_all=True, due_days=5)
    make_rule("選修", audience_all=True, due_days=5, mandatory=False)
    daily_run(timezone.localdate())
    to = list(EmailDelivery.objects.values_list("to_address", "notification_id"))
    assert [n for a, n in to if a == digest.user.email] == [None]  # one digest (no single notice) for both
    assert len([n for a, n in to if a == quiet.user.email]) == 1  # the mandatory one only
    assert Notification.objects.filter(user=quiet.user).count() == 1
    daily_run(timezone.localdate())
    assert EmailDelivery.objects.count() == len(to)


def test_run_daily_command(make_staff, make_rule, capsys):
    make_staff("p")
    make_rule(audience_all=True, due_days=3)
    call_command("run_daily")
    call_command("run_daily")
    assert SentReminder.objects.count() == 1


def test_a_completion_recorded_later_is_valid_from_the_day_it_was_done(make_staff, make_rule, course):
    person = make_staff("p")
    make_rule(audience_all=True, recurrence_months=12)
    done_on = timezone.localdate() - 40 * DAY
    [done] = obligation_fulfil(user=person.user, target=course, at=at_noon(done_on))
    assert done.valid_until == add_months(done_on, 12)


def test_a_target_types_own_validity_applies_when_the_completion_brings_none(
    make_staff, make_rule, course, course_type
):
    registry.register(dataclasses.replace(course_type, validity_months=lambda target: 24))
    person = make_staff("p")
    make_rule(audience_all=True)  # no recurrence of its own
    done_on = timezone.localdate() - 3 * DAY
    [done] = obligation_fulfil(user=person.user, target=course, at=at_noon(done_on))
    assert done.valid_until == add_months(done_on, 24)


def test_a_refresher_carries_each_obligation_over_to_a_new_cycle(make_staff, make_rule, course):
    boss = make_staff("boss")
    person = make_staff("p", supervisor=boss)
    rule = make_rule("選修年度培訓", people=[person], recurrence_months=12, mandatory=False)
    obligation_assign(
        by_user=boss.user, person=person, target=course, due_date=timezone.localdate() + 5 * DAY
    )
    obligation_fulfil(user=person.user, target=course, at=timezone.now() - 10 * DAY)
    assert obligations_reopen(target=course, completed_before=timezone.now(), reason="課程內容更新") == 2
    fields = (
        "cycle",
        "status",
        "due_date",
        "title",
        "target_key",
        "source",
        "source_key",
        "rule",
        "assigned_by",
        "mandatory",
        "recurrence_months",
    )
    due = timezone.localdate() + 30 * DAY
    assert sorted(Obligation.objects.filter(cycle=2).values_list(*fields), key=str) == sorted(
        [
            (
                2,
                Status.NOT_STARTED,
                due,
                course.name,
                "test.course",
                "rule",
                f"rule:{rule.pk}",
                rule.pk,
                None,
                False,
                12,
            ),
            (
                2,
                Status.NOT_STARTED,
                due,
                course.name,
                "test.course",
                "manual",
                f"manual:{boss.user.pk}",
                None,
                boss.user.pk,
                True,
                None,
            ),
        ],
        key=str,
    )
    assert set(Obligation.objects.filter(cycle=1).values_list("status", "withdrawn_reason")) == {
        (Status.EXPIRED, "課程內容更新")
    }


# --- What an owing app reports (assignments.services._sync_owed), through the stand-in course type ---------


@pytest.fixture
def owing(course_type):
    """Make the stand-in type owed through its app's own computation: append ``Owed`` rows to the list."""
    rows: list[Owed] = []
    registry.register(dataclasses.replace(course_type, owed=lambda people, targets: list(rows)))
    return rows


def completion_record(person, at):
    return record_append(
        kind=RecordKind.COMPLETION,
        actor=person.user,
        subject_type="people.position",
        title="反洗錢與反欺詐年度培訓",
        outcome=Outcome.COMPLETED,
        occurred_at=at,
    )


def test_owed_completions_become_completed_rows_as_their_evidence_says(make_staff, course, owing):
    names = ("on_time", "late", "by_dates", "waiting", "overdue")
    people = {name: make_staff(name) for name in names}
    due = timezone.localdate() - 10 * DAY
    after, before, on_due = at_noon(due + DAY), at_noon(due - DAY), at_noon(due)
    records = {
        name: completion_record(people[name], at) for name, at in (("on_time", after), ("late", before))
    }
    owing += [
        # the evidence's own verdict stands, whatever the dates say now (a due date may have moved since)
        Owed(people["on_time"], course, 1, due, after, records["on_time"].pk, on_time=True),
        Owed(people["late"], course, 1, due, before, records["late"].pk, on_time=False),
        Owed(people["by_dates"], course, 1, due, on_due),  # no verdict: done on the due date is on time
        Owed(people["waiting"], course, 1, timezone.localdate()),
        Owed(people["overdue"], course, 1, due),
    ]
    assert target_materialise(course) == Changes(created=5, withdrawn=0, updated=0)
    rows = {
        ob.person.user.username: (ob.status, ob.due_date, ob.completed_at, ob.record_id, ob.cycle)
        for ob in Obligation.objects.all()
    }
    assert rows == {
        "on_time": (Status.COMPLETED_ON_TIME, due, after, records["on_time"].pk, 1),
        "late": (Status.COMPLETED_LATE, due, before, records["late"].pk, 1),
        "by_dates": (Status.COMPLETED_ON_TIME, due, on_due, None, 1),
        "waiting": (Status.NOT_STARTED, timezone.localdate(), None, None, 1),
        "overdue": (Status.OVERDUE, due, None, None, 1),
    }
    assert set(Obligation.objects.values_list("source", "source_key", "target_key", "title")) == {
        ("audience", "audience", "test.course", str(course))
    }
    assert target_materialise(course) == Changes(created=0, withdrawn=0, updated=0)  # nothing changed


def test_an_open_row_follows_a_reported_completion_and_a_moved_due_date(make_staff, course, owing):
    names = ("doer", "dater", "mover", "starter", "finished")
    people = {name: make_staff(name) for name in names}
    today = timezone.localdate()
    owing += [Owed(person, course, 1, today + 5 * DAY) for person in people.values()]
    target_materialise(course)
    obligation_progress(user=people["starter"].user, target=course, done=1, total=4)
    finished_at = timezone.now()
    obligation_fulfil(user=people["finished"].user, target=course, at=finished_at)
    at, earlier = at_noon(today - DAY), at_noon(today - 5 * DAY)
    record = completion_record(people["doer"], at)
    owing[:] = [
        Owed(people["doer"], course, 1, today + 5 * DAY, at, record.pk, on_time=False),  # the app says late
        Owed(people["dater"], course, 1, today - 2 * DAY, earlier),  # no verdict: done before the due date
        Owed(people["mover"], course, 1, today - 2 * DAY),  # moved into the past: overdue
        Owed(people["starter"], course, 1, today - 2 * DAY),  # moved, but started: stays in progress
        Owed(people["finished"], course, 1, today - 2 * DAY),  # done already: a completion is not moved
    ]
    assert target_materialise(course) == Changes(created=0, withdrawn=0, updated=4)
    rows = {
        ob.person.user.username: (ob.status, ob.due_date, ob.completed_at, ob.record_id)
        for ob in Obligation.objects.all()
    }
    assert rows == {
        "doer": (Status.COMPLETED_LATE, today + 5 * DAY, at, record.pk),
        "dater": (Status.COMPLETED_ON_TIME, today - 2 * DAY, earlier, None),
        "mover": (Status.OVERDUE, today - 2 * DAY, None, None),
        "starter": (Status.IN_PROGRESS, today - 2 * DAY, None, None),
        "finished": (Status.COMPLETED_ON_TIME, today + 5 * DAY, finished_at, None),
    }
    assert target_materialise(course) == Changes(created=0, withdrawn=0, updated=0)


def test_rows_no_longer_owed_are_withdrawn_as_superseded_or_not_owed(make_staff, course, owing):
    a, b, done = make_staff("a"), make_staff("b"), make_staff("done")
    due = timezone.localdate() + 10 * DAY
    owing += [Owed(person, course, 1, due) for person in (a, b, done)]
    target_materialise(course)
    obligation_fulfil(user=done.user, target=course, at=timezone.now())
    owing[:] = [Owed(a, course, 2, due), Owed(done, course, 2, due)]  # a new cycle for a; b owes nothing now
    assert target_materialise(course) == Changes(created=2, withdrawn=2, updated=0)
    rows = {
        (ob.person.user.username, ob.cycle): (ob.status, ob.withdrawn_reason)
        for ob in Obligation.objects.all()
    }
    assert rows == {
        ("a", 1): (Status.WITHDRAWN, "superseded"),
        ("a", 2): (Status.NOT_STARTED, ""),
        ("b", 1): (Status.WITHDRAWN, "no longer owed"),
        ("done", 1): (Status.COMPLETED_ON_TIME, ""),  # evidence is never withdrawn
        ("done", 2): (Status.NOT_STARTED, ""),
    }


def test_an_expired_completion_stays_expired_while_the_app_reports_it(make_staff, course, owing):
    person = make_staff("p")
    today = timezone.localdate()
    at = at_noon(today - 3 * DAY)
    record = completion_record(person, at)
    owing += [Owed(person, course, 1, today + 10 * DAY, at, record.pk, on_time=True)]
    target_materialise(course)
    assert obligations_reopen(target=course, completed_before=timezone.now(), reason="課程內容更新") == 1
    target_materialise(course)  # the app still reports the first completion (its evidence)
    expired = Obligation.objects.get(cycle=1)
    assert (expired.status, expired.completed_at, expired.record_id, expired.withdrawn_reason) == (
        Status.EXPIRED,
        at,
        record.pk,
        "課程內容更新",
    )


def test_a_refresher_stays_owed_while_the_app_reports_the_completion_it_replaces(make_staff, course, owing):
    # Regression: the sync withdrew the refresher (cycle 2) as "no longer owed": the app reports cycle 1
    person = make_staff("p")
    today = timezone.localdate()
    at = at_noon(today - 3 * DAY)
    owing += [Owed(person, course, 1, today + 10 * DAY, at, on_time=True)]
    target_materialise(course)
    assert obligations_reopen(target=course, completed_before=timezone.now(), reason="課程內容更新") == 1
    assert target_materialise(course) == Changes(created=0, withdrawn=0, updated=0)
    rows = {ob.cycle: (ob.status, ob.withdrawn_reason) for ob in Obligation.objects.all()}
    assert rows == {1: (Status.EXPIRED, "課程內容更新"), 2: (Status.NOT_STARTED, "")}
    owing.clear()  # the person leaves the audience: the refresher goes too
    assert target_materialise(course) == Changes(created=0, withdrawn=1, updated=0)
    assert Obligation.objects.get(cycle=2).withdrawn_reason == "no longer owed"
