"""Status transitions (progress, on time, late, overdue, expiry) and the daily run's idempotence."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from assignments.daily import daily_run
from assignments.models import Obligation, SentReminder, Status
from assignments.services import obligation_fulfil, obligation_progress, obligations_reopen
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
