"""#15 item 2: each date rule at its edge — the day itself, the day before, the day after. The due-date rule
and on-time are in test_due_dates.py."""

import datetime

import pytest
from django.utils import timezone

from core.dates import add_months
from kb.models import ProcedureReview, PublishedVersion
from kb.selectors import acknowledgement_rows, in_force_by_page, review_schedule, unread_regulations
from tests.kb.fixtures import publish_change

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "status"), [(TODAY + DAY, "pending"), (TODAY, "pending"), (TODAY - DAY, "overdue")]
)
def test_overdue_from_the_day_after_the_due_date(make_procedure, make_staff, due, status):
    """Not acknowledged: pending up to and on the due day, overdue from the next day (home, team, trace)."""
    reader = make_staff("reader", hire_date=TODAY - datetime.timedelta(days=900))
    page = make_procedure(effective_date=due - datetime.timedelta(days=7), ack_due_days=7)
    PublishedVersion.objects.filter(page_id=page.pk).update(
        published_at=timezone.now() - datetime.timedelta(days=30)
    )
    [row] = acknowledgement_rows([reader], [page])
    assert (row.due_date, row.status) == (due, status)


@pytest.mark.parametrize(
    ("offset", "in_force"), [(-1, 2), (0, 2), (1, 1)], ids=["yesterday", "today", "tomorrow"]
)
def test_a_version_is_in_force_from_its_effective_date(make_procedure, offset, in_force):
    page = make_procedure(effective_date=TODAY - datetime.timedelta(days=100))
    publish_change(page, change_summary="新版。", effective_date=TODAY + datetime.timedelta(days=offset))
    assert in_force_by_page([page.pk])[page.pk].number == in_force


@pytest.mark.parametrize(("days", "listed"), [(29, True), (30, True), (31, False)])
def test_review_report_lists_reviews_due_within_30_days(make_procedure, days, listed):
    """Next review = last review + interval; listed when within the horizon, the 30th day included."""
    page = make_procedure("SOP-EDGE", review_interval_months=12)
    next_review = TODAY + datetime.timedelta(days=days)
    ProcedureReview.objects.filter(page_id=page.pk).update(reviewed_on=add_months(next_review, -12))
    items = [item for item in review_schedule(within_days=30) if item.page.pk == page.pk]
    assert bool(items) is listed
    if listed:
        assert items[0].next_review == next_review


@pytest.mark.parametrize(
    ("offset", "unread"), [(-1, 0), (0, 0), (1, 1)], ids=["yesterday", "today", "tomorrow"]
)
def test_a_repealed_update_stops_asking_on_its_repeal_date(make_regulation, make_staff, offset, unread):
    reader = make_staff("reader")
    make_regulation(repealed_on=TODAY + datetime.timedelta(days=offset))
    assert unread_regulations(reader.user, reader).count() == unread
    assert len(acknowledgement_rows([reader])) == unread
