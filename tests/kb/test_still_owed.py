"""#9 item 14: what is still owed after a regulation update is repealed or superseded (docs/regulations.md).

Once repealed, nothing new is owed; a superseded update is owed by nobody in the audience of the live update
that replaced it; acknowledgements already made stay in the records and the trace."""

import datetime

import pytest
from django.utils import timezone

from assignments.daily import daily_run
from assignments.services import audience_materialise
from kb.models import RegulationUpdatePage
from kb.selectors import (
    acknowledgement_rows,
    owed_acknowledgements,
    pending_acknowledgements,
    regulation_trace,
    unread_regulations,
)
from kb.services import acknowledge
from notifications.models import Notification
from tests.factories import DepartmentFactory
from tests.kb.fixtures import publish_change

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
TOMORROW = TODAY + datetime.timedelta(days=1)


def owed_numbers(person) -> set[str]:
    """What the person owes, by the in-memory rule and by the SQL rule (asserted equal)."""
    in_memory = {row.page.document_number for row in pending_acknowledgements(person.user, person)}
    in_sql = set(unread_regulations(person.user, person).values_list("document_number", flat=True))
    assert in_memory == in_sql
    return in_memory


def test_repealed_update_asks_nothing_new_but_keeps_acknowledgements(make_regulation, make_staff):
    early, late = make_staff("early"), make_staff("late")
    page = make_regulation("（示例）CSD-CIR-2025-031")
    acknowledge(user=early.user, page=page, version_number=1)
    assert owed_numbers(late) == {"（示例）CSD-CIR-2025-031"}
    RegulationUpdatePage.objects.filter(pk=page.pk).update(repealed_on=TOMORROW)
    assert owed_numbers(late) == {"（示例）CSD-CIR-2025-031"}  # still in force until the repeal date
    RegulationUpdatePage.objects.filter(pk=page.pk).update(repealed_on=TODAY)
    audience_materialise()  # the daily run on the repeal date: the obligation table behind the trace follows
    assert owed_numbers(late) == set() and owed_numbers(early) == set()
    [row] = acknowledgement_rows([early, late], [RegulationUpdatePage.objects.get(pk=page.pk)])
    assert row.person == early and row.status == "done"  # the acknowledgement stays
    trace = regulation_trace(RegulationUpdatePage.objects.get(pk=page.pk))
    assert [r.person for r in trace.rows] == [early] and trace.overdue == trace.pending == 0


def test_superseded_update_is_not_owed_by_the_audience_of_its_replacement(make_regulation, make_staff):
    counter, back_office = DepartmentFactory(code="CS"), DepartmentFactory(code="BO")
    front = make_staff("front", department=counter)
    back = make_staff("back", department=back_office)
    old = make_regulation("（示例）FMA/CP/2025/07")
    new = make_regulation("（示例）FMA/CP/2026/15", publish=False, audience_all=False)
    new.audience_departments.set([counter])
    new.save_revision().publish()
    RegulationUpdatePage.objects.filter(pk=old.pk).update(superseded_by=new)
    assert owed_numbers(front) == {"（示例）FMA/CP/2026/15"}
    assert owed_numbers(back) == {"（示例）FMA/CP/2025/07"}  # the replacement does not concern them


def test_superseded_update_stays_owed_until_its_replacement_is_live(make_regulation, make_staff):
    person = make_staff("reader")
    old = make_regulation("（示例）FMA/CP/2025/07")
    new = make_regulation("（示例）FMA/CP/2026/15", publish=False)
    RegulationUpdatePage.objects.filter(pk=old.pk).update(superseded_by=new)
    assert owed_numbers(person) == {"（示例）FMA/CP/2025/07"}
    new.save_revision().publish()
    assert owed_numbers(person) == {"（示例）FMA/CP/2026/15"}


def test_feed_marks_only_what_is_still_owed_as_unread(make_regulation, make_staff, login, feed_index):
    person = make_staff("reader", groups=["Staff"])
    old = make_regulation("（示例）FMA/CP/2025/07", title="（示例）舊指引")
    new = make_regulation("（示例）FMA/CP/2026/15", title="（示例）新指引")
    repealed = make_regulation("（示例）CSD-CIR-2025-031", title="（示例）已廢止通告")
    RegulationUpdatePage.objects.filter(pk=old.pk).update(superseded_by=new)
    RegulationUpdatePage.objects.filter(pk=repealed.pk).update(repealed_on=YESTERDAY)
    unread = login(person.user).get(feed_index.url + "?unread=on").content.decode()
    assert "（示例）新指引" in unread
    assert "（示例）舊指引" not in unread and "（示例）已廢止通告" not in unread


@pytest.mark.parametrize("change", ["repealed", "superseded"])
def test_a_new_version_of_an_update_no_longer_owed_notifies_nobody(
    change, make_regulation, make_staff, django_capture_on_commit_callbacks
):
    make_staff("reader")
    page = make_regulation("（示例）FMA/CP/2025/07")
    if change == "repealed":
        RegulationUpdatePage.objects.filter(pk=page.pk).update(repealed_on=YESTERDAY)
    else:
        new = make_regulation("（示例）FMA/CP/2026/15")
        RegulationUpdatePage.objects.filter(pk=page.pk).update(superseded_by=new)
    Notification.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        publish_change(page, change_summary="補充說明。")
    assert not Notification.objects.exists()
    assert owed_acknowledgements([], [page]) == []


def test_the_page_says_nothing_is_asked_and_offers_no_button(make_regulation, make_staff, login):
    person = make_staff("reader", groups=["Staff"])
    old = make_regulation("（示例）FMA/CP/2025/07")
    new = make_regulation("（示例）FMA/CP/2026/15")
    repealed = make_regulation("（示例）CSD-CIR-2025-031")
    RegulationUpdatePage.objects.filter(pk=old.pk).update(superseded_by=new)
    RegulationUpdatePage.objects.filter(pk=repealed.pk).update(repealed_on=YESTERDAY)
    daily_run()  # fields changed behind the publish signal: the day's run re-syncs the obligation table
    client = login(person.user)
    html = client.get(repealed.url).content.decode()
    assert 'data-ack="not-required"' in html and f"本通告已於 {YESTERDAY:%Y-%m-%d} 廢止" in html
    assert 'data-ack="pending"' not in html
    html = client.get(old.url).content.decode()
    assert 'data-ack="not-required"' in html and f'href="{new.url}"' in html
    assert 'data-ack="pending"' not in html
    assert 'data-ack="pending"' in client.get(new.url).content.decode()


# --- Edges found by mutation testing ---


def test_still_owed_is_asked_about_the_day_given(db):  # Wagtail's Page() may read the default locale
    """``still_owed(..., today=day)`` answers for that day, not for the day the code runs."""
    from kb.selectors import still_owed

    page = RegulationUpdatePage(repealed_on=TODAY + datetime.timedelta(days=3))
    assert still_owed(page, None) is True
    assert still_owed(page, None, today=TODAY + datetime.timedelta(days=2)) is True
    assert still_owed(page, None, today=TODAY + datetime.timedelta(days=3)) is False
