"""The private calendar feed (parsed back with icalendar) and a supervisor's manual assignment, limited to
their own subtree on the server."""

import datetime

import icalendar
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from assignments.models import Obligation, Source
from assignments.services import obligation_assign
from people.roles import STAFF, SUPERVISOR
from people.services import feed_token_for, feed_token_regenerate


def test_calendar_feed_lists_due_dates_and_parses(make_staff, make_rule, client):
    person = make_staff("p")
    make_rule(audience_all=True, due_days=20)
    token = feed_token_for(person.user)
    client.logout()  # calendar apps cannot log in: the token is the key
    response = client.get(reverse("due_dates_calendar", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    [event] = cal.walk("VEVENT")
    assert event.decoded("dtstart") == timezone.localdate() + datetime.timedelta(days=20)
    assert "反洗錢與反欺詐年度培訓" in str(event["summary"])
    assert str(event["uid"]).startswith("servewell-obligation-")


@pytest.mark.parametrize("token", ["nope", "x" * 65, "-1", "%00"])
def test_calendar_feed_refuses_unknown_tokens(db, client, token):
    assert client.get(f"/feeds/due-dates/{token}/calendar.ics").status_code == 404


def test_regenerated_token_revokes_the_old_calendar_address(make_staff, client):
    person = make_staff("p")
    old = feed_token_for(person.user)
    new = feed_token_regenerate(person.user)
    assert client.get(reverse("due_dates_calendar", args=[old])).status_code == 404
    assert client.get(reverse("due_dates_calendar", args=[new])).status_code == 200


@pytest.fixture
def org(make_staff):
    boss = make_staff("boss", groups=[STAFF, SUPERVISOR])
    lead = make_staff("lead", supervisor=boss, groups=[STAFF, SUPERVISOR])
    report = make_staff("report", supervisor=lead, groups=[STAFF])
    outsider = make_staff("outsider", groups=[STAFF])
    return boss, lead, report, outsider


def _post(client, person, course, due):
    ct = ContentType.objects.get_for_model(course)
    return client.post(
        reverse("assign_training", args=[person.pk]), {"target": f"{ct.pk}:{course.pk}", "due_date": due}
    )


def test_supervisor_assigns_within_their_subtree_at_any_depth(org, course, login):
    boss, _lead, report, _outsider = org
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    response = _post(login(boss.user), report, course, due)
    assert response.status_code == 302
    ob = Obligation.objects.get(person=report)
    assert (ob.source, ob.assigned_by, ob.due_date.isoformat()) == (Source.MANUAL, boss.user, due)
    _post(login(boss.user), report, course, due)
    assert Obligation.objects.filter(person=report).count() == 1  # idempotent while open


def test_supervisor_cannot_assign_outside_their_subtree(org, course, login):
    _boss, lead, report, outsider = org
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    assert _post(login(lead.user), outsider, course, due).status_code == 403
    assert _post(login(report.user), lead, course, due).status_code == 403  # not upwards either
    assert _post(login(lead.user), lead, course, due).status_code == 403  # nor to oneself
    assert not Obligation.objects.exists()
    with pytest.raises(PermissionDenied):
        obligation_assign(by_user=lead.user, person=outsider, target=course, due_date=timezone.localdate())


@pytest.mark.parametrize(
    "target, due",
    [
        ("999999:1", "2030-01-01"),
        ("junk", "2030-01-01"),
        ("", "2030-01-01"),
        (None, "not a date"),
        (None, "2001-01-01"),
    ],
)
def test_bad_manual_assignment_input_is_refused_cleanly(org, course, login, target, due):
    boss, _lead, report, _outsider = org
    ct = ContentType.objects.get_for_model(course)
    data = {"target": target if target is not None else f"{ct.pk}:{course.pk}", "due_date": due}
    response = login(boss.user).post(reverse("assign_training", args=[report.pk]), data, follow=True)
    assert response.status_code == 200
    assert not Obligation.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_profile_shows_the_assign_form_only_to_supervisors_above(org, course, login):
    boss, lead, report, outsider = org
    assert "assign_form" in login(boss.user).get(reverse("profile", args=[report.pk])).context
    assert login(lead.user).get(reverse("profile", args=[outsider.pk])).status_code == 403


@pytest.mark.parametrize("choice", ["weekly", "", "x" * 500])
def test_email_preference_refuses_unknown_choices(make_staff, login, choice):
    from notifications.models import DeliveryPreference

    client = login(make_staff("p").user)
    response = client.post(reverse("notification_preference"), {"email": choice}, follow=True)
    assert response.status_code == 200 and not DeliveryPreference.objects.exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_email_preference_is_saved_and_shown(make_staff, login):
    person = make_staff("p")
    client = login(person.user)
    client.post(reverse("notification_preference"), {"email": "digest"})
    response = client.get(reverse("notifications"))
    assert response.context["email_preference"] == "digest"
    assert 'value="digest" checked' in response.content.decode()
