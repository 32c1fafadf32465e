"""Review cycle: next review = last review + interval; the due report; "reviewed, no change"."""

import datetime

import pytest
from django.urls import reverse

from core.dates import add_months
from kb.models import ProcedureReview
from kb.selectors import review_schedule
from kb.services import AcknowledgementError, procedure_mark_reviewed
from ledger.models import Record


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 11, 15), 12, datetime.date(2026, 11, 15)),
        (datetime.date(2025, 12, 1), 6, datetime.date(2026, 6, 1)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def backdate_review(page, day):
    ProcedureReview.objects.filter(page_id=page.pk).update(reviewed_on=day)


def test_review_schedule_sorted_by_lateness(make_procedure):
    from django.utils import timezone

    today = timezone.localdate()
    late = make_procedure("SOP-LATE", review_interval_months=12)
    later = make_procedure("SOP-LATER", review_interval_months=6)
    fresh = make_procedure("SOP-FRESH", review_interval_months=12)
    backdate_review(late, add_months(today, -13))  # due a month ago
    backdate_review(later, add_months(today, -9))  # due three months ago
    backdate_review(fresh, today)
    items = review_schedule(within_days=30)
    assert [i.page.code for i in items] == ["SOP-LATER", "SOP-LATE"]
    assert items[0].next_review == add_months(add_months(today, -9), 6)
    assert items[0].days_late > items[1].days_late > 0


def test_mark_reviewed_restarts_cycle_and_writes_a_record(make_procedure, make_staff):
    from django.utils import timezone

    page = make_procedure("SOP-LATE", review_interval_months=12)
    backdate_review(page, add_months(timezone.localdate(), -13))
    editor = make_staff("editor", groups=["Content editor"])
    with pytest.raises(AcknowledgementError):
        procedure_mark_reviewed(user=editor.user, page=page, comment="   ")
    assert review_schedule(within_days=0)
    procedure_mark_reviewed(user=editor.user, page=page, comment="已核對最新投訴統計，內容仍然適用。")
    assert review_schedule(within_days=0) == []
    record = Record.objects.get(kind="review", page_id=page.pk)
    assert record.data["result"] == "no_change"
    assert record.actor_id == editor.user_id


def test_review_report_in_admin_for_editors_only(make_procedure, make_staff, login):
    from django.utils import timezone

    page = make_procedure("SOP-LATE", review_interval_months=12)
    backdate_review(page, add_months(timezone.localdate(), -14))
    editor = make_staff("editor", groups=["Content editor"])
    staff = make_staff("plain", groups=["Staff"])
    response = login(editor.user).get(reverse("kb_review_due"))
    assert response.status_code == 200
    assert "SOP-LATE" in response.content.decode()
    dashboard = login(editor.user).get(reverse("wagtailadmin_home"))
    assert reverse("kb_review_due") in dashboard.content.decode()  # the dashboard panel links the report
    assert login(staff.user).get(reverse("kb_review_due")).status_code in (302, 403)


def test_mark_reviewed_admin_form_requires_comment(make_procedure, make_staff, login):
    page = make_procedure("SOP-LATE")
    editor = make_staff("editor", groups=["Content editor"])
    client = login(editor.user)
    url = reverse("kb_mark_reviewed", args=[page.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200 and response.context["form"].errors["comment"]
    assert not ProcedureReview.objects.filter(outcome="no_change").exists()
    response = client.post(url, {"comment": "條文無需修改。"})
    assert response.status_code == 302
    assert ProcedureReview.objects.filter(outcome="no_change", page_id=page.pk).count() == 1
