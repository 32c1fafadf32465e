"""The one due-date rule (#9 item 15, #15 item 2): due = max(effective date, publication, hire date) + N days,
used alike by the acknowledgement record, the page, the home page, the trace and the notification text.
Acknowledging on the due day is on time; the day after is late."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from kb.models import PublishedVersion
from kb.selectors import acknowledgement_due, acknowledgement_rows
from kb.services import acknowledge
from notifications.models import Notification
from tests.kb.fixtures import publish_change

TODAY = timezone.localdate()
N = 14


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


# (effective date, publication, hire date) with each one the latest in turn, all in the past so the version is
# in force today; the expected due date is the latest + N.
CASES = {
    "effective date latest": (days_ago(60), days_ago(80), days_ago(400), days_ago(60)),
    "publication latest": (days_ago(90), days_ago(70), days_ago(400), days_ago(70)),
    "hire date latest": (days_ago(90), days_ago(80), days_ago(50), days_ago(50)),
}


@pytest.fixture(params=list(CASES), ids=list(CASES))
def case(request, make_procedure, make_staff):
    effective, published, hired, latest = CASES[request.param]
    page = make_procedure(effective_date=effective, ack_due_days=N)
    PublishedVersion.objects.filter(page_id=page.pk).update(published_at=local(published, 10))
    person = make_staff("reader", groups=["Staff"], hire_date=hired)
    return page, person, latest + datetime.timedelta(days=N)


def test_due_date_is_the_latest_of_the_three_plus_n(case):
    page, person, expected = case
    version = PublishedVersion.objects.get(page_id=page.pk)
    assert acknowledgement_due(page, version, person.hire_date) == expected
    [row] = acknowledgement_rows([person], [page])
    assert row.due_date == expected


@pytest.mark.parametrize(
    ("offset", "hour", "minute", "on_time"),
    [(-1, 12, 0, True), (0, 0, 5, True), (0, 23, 59, True), (1, 0, 1, False), (1, 12, 0, False)],
    ids=["the day before", "due day, just after midnight", "due day, 23:59", "next day 00:01", "next day"],
)
def test_on_time_up_to_the_end_of_the_due_day(case, offset, hour, minute, on_time):
    page, person, due = case
    when = local(due + datetime.timedelta(days=offset), hour, minute)
    ack, created = acknowledge(user=person.user, page=page, version_number=1, at=when)
    assert created and ack.due_date == due and ack.on_time is on_time
    assert ack.record.data == {"version": "1", "due": due.isoformat(), "on_time": on_time}
    [row] = acknowledgement_rows([person], [page])
    assert row.status == ("done" if on_time else "late")


def test_page_and_home_page_show_the_same_due_date(case, login):
    page, person, due = case
    client = login(person.user)
    assert f"{due:%Y-%m-%d}" in client.get(page.url).content.decode()
    assert f"{due:%Y-%m-%d}" in client.get("/").content.decode()


def test_notification_gives_each_person_their_own_due_date(
    make_regulation, make_staff, login, django_capture_on_commit_callbacks
):
    """The notification text and the person's home page agree, for a long-serving and a later joiner."""
    veteran = make_staff("veteran", groups=["Staff"], hire_date=days_ago(2000))
    joiner = make_staff("joiner", groups=["Staff"], hire_date=TODAY + datetime.timedelta(days=20))
    with django_capture_on_commit_callbacks(execute=True):
        page = make_regulation(ack_due_days=N)
    expected = {veteran: TODAY + datetime.timedelta(days=N), joiner: TODAY + datetime.timedelta(days=20 + N)}
    for person, due in expected.items():
        [note] = Notification.objects.filter(user=person.user)
        assert re.findall(r"\d{4}-\d{2}-\d{2}", note.body)[-1] == due.isoformat(), note.body
        [row] = acknowledgement_rows([person], [page])
        assert row.due_date == due
        assert f"{due:%Y-%m-%d}" in login(person.user).get("/").content.decode()


def test_trace_shows_the_person_s_due_date(make_regulation, make_staff, login):
    joiner = make_staff("joiner", groups=["Staff"], hire_date=TODAY + datetime.timedelta(days=20))
    officer = make_staff("officer", groups=["Compliance officer"])
    page = make_regulation(ack_due_days=N)
    due = TODAY + datetime.timedelta(days=20 + N)
    html = login(officer.user).get(reverse("kb_regulation_trace", args=[page.pk])).content.decode()
    assert joiner.display_name in html and due.isoformat() in html
    publish_change(page, change_summary="更正錯字。", is_minor_change=True)  # a minor change keeps the date
    assert acknowledgement_rows([joiner], [page])[0].due_date == due
