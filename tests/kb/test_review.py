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
    owner = page.content_owner
    with pytest.raises(AcknowledgementError):
        procedure_mark_reviewed(user=owner.user, page=page, comment="   ")
    assert review_schedule(within_days=0)
    procedure_mark_reviewed(user=owner.user, page=page, comment="已核對最新投訴統計，內容仍然適用。")
    assert review_schedule(within_days=0) == []
    record = Record.objects.get(kind="review", page_id=page.pk)
    assert record.data["result"] == "no_change"
    assert record.actor_id == owner.user_id


def test_review_report_in_admin_for_editors_and_auditors(make_procedure, make_staff, login):
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
    auditor = make_staff("auditor", groups=["Staff", "Auditor"])
    response = login(auditor.user).get(reverse("kb_review_due"))
    assert response.status_code == 200
    assert "SOP-LATE" in response.content.decode()
    assert reverse("kb_mark_reviewed", args=[page.pk]) not in response.content.decode()


def test_mark_reviewed_admin_form_requires_comment(make_procedure, make_staff, login):
    page = make_procedure("SOP-LATE")
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"])
    client = login(compliance.user)
    url = reverse("kb_mark_reviewed", args=[page.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200 and response.context["form"].errors["comment"]
    assert not ProcedureReview.objects.filter(outcome="no_change").exists()
    response = client.post(url, {"comment": "條文無需修改。"})
    assert response.status_code == 302
    assert ProcedureReview.objects.filter(outcome="no_change", page_id=page.pk).count() == 1


# --- who may record "reviewed, no change" (issue #9 items 3 and 20) ---------------------------------------


@pytest.fixture
def owned(make_procedure, make_regulation, make_staff):
    """SOP-EM-012, owned by a branch supervisor with no admin access, overdue and flagged by a new rule."""
    from django.utils import timezone

    owner = make_staff("supervisor1", groups=["Staff", "Supervisor"], display_name="鍾振邦")
    page = make_procedure(
        "SOP-EM-012", title="系統故障應急程序", content_owner=owner, owning_department=owner.department
    )
    backdate_review(page, add_months(timezone.localdate(), -15))
    make_regulation(procedures=[page], title="（示例）應急通報新規")
    return page


def review_evidence(page) -> tuple[int, int, int]:
    from kb.models import ReviewFlag

    return (
        ProcedureReview.objects.filter(page_id=page.pk, outcome="no_change").count(),
        Record.objects.filter(kind="review", page_id=page.pk).count(),
        ReviewFlag.objects.filter(procedure_id=page.pk, cleared_at__isnull=True).count(),
    )


def test_an_editor_cannot_clear_another_owners_review(owned, make_staff, login):
    from kb.services import ReviewNotAllowed

    editor = make_staff("editor", groups=["Staff", "Content editor"])
    client = login(editor.user)
    url = reverse("kb_mark_reviewed", args=[owned.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.post(url, {"comment": "看過了。"}).status_code in (302, 403)
    assert client.post(f"{owned.url}review/", {"comment": "看過了。"}).status_code == 403
    with pytest.raises(ReviewNotAllowed):
        procedure_mark_reviewed(user=editor.user, page=owned, comment="看過了。")
    assert review_evidence(owned) == (0, 0, 1)
    report = client.get(reverse("kb_review_due")).content.decode()
    assert "SOP-EM-012" in report and url not in report  # listed, but no button to clear it


@pytest.mark.parametrize("who", ["staff", "auditor"])
def test_other_people_cannot_record_a_review_on_the_site(owned, make_staff, login, who):
    groups = {"staff": ["Staff"], "auditor": ["Staff", "Auditor"]}[who]
    client = login(make_staff(who, groups=groups).user)
    assert client.get(f"{owned.url}review/").status_code == 403
    assert client.post(f"{owned.url}review/", {"comment": "看過了。"}).status_code == 403
    assert "review/" not in client.get(owned.url).content.decode()
    assert review_evidence(owned) == (0, 0, 1)


def test_the_owner_sees_their_queue_at_home_and_records_a_review_without_admin_access(owned, login):
    from django.utils import timezone

    client = login(owned.content_owner.user)
    assert client.get("/admin/").status_code == 302  # no admin access
    home = client.get("/").content.decode()
    assert "我的待覆核程序" in home and "SOP-EM-012" in home and f"{owned.url}review/" in home
    assert "（示例）應急通報新規" in home
    assert f"{owned.url}review/" in client.get(owned.url).content.decode()
    form = client.get(f"{owned.url}review/")
    assert form.status_code == 200 and "系統故障應急程序" in form.content.decode()
    response = client.post(f"{owned.url}review/", {"comment": ""})
    assert response.status_code == 200 and response.context["form"].errors["comment"]
    assert review_evidence(owned) == (0, 0, 1)
    response = client.post(f"{owned.url}review/", {"comment": "已按最新系統架構核對，步驟仍然適用。"})
    assert response.status_code == 302
    assert review_evidence(owned) == (1, 1, 0)
    record = Record.objects.get(kind="review", page_id=owned.pk)
    assert record.actor_username == "supervisor1"
    assert ProcedureReview.objects.get(outcome="no_change").reviewed_on == timezone.localdate()
    assert "我的待覆核程序" not in client.get("/").content.decode()  # the queue is empty again


@pytest.mark.parametrize("who", ["compliance", "root"])
def test_compliance_officers_and_superusers_review_any_procedure(owned, make_staff, superuser, login, who):
    user = superuser if who == "root" else make_staff(who, groups=["Staff", "Compliance officer"]).user
    client = login(user)
    response = client.post(
        reverse("kb_mark_reviewed", args=[owned.pk]), {"comment": "已核對新規，無需修訂。"}
    )
    assert response.status_code == 302
    assert review_evidence(owned) == (1, 1, 0)
