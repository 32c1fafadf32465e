"""The auditor reads everything and changes nothing (issue #9 item 11; docs/roles/auditor.md).

The auditor is a user in the real Staff and Auditor groups, with a staff profile (as in the demo)."""

import pytest
from django.urls import reverse

from kb.models import Acknowledgement, ProcedurePage, ProcedureReview
from ledger.models import Record
from tests.kb.test_workflow import submit


@pytest.fixture
def auditor(make_staff):
    return make_staff("auditor", groups=["Staff", "Auditor"], display_name="孔德明").user


@pytest.fixture
def history(make_procedure, make_staff):
    """A procedure with a second version that went through the approval workflow."""
    editor = make_staff("editor", groups=["Staff", "Content editor"]).user
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"]).user
    page = make_procedure()
    page = submit(page, editor, change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, compliance, "approve", comment="已核對條文。")
    return ProcedurePage.objects.get(pk=page.pk)


def test_auditor_acknowledgement_is_refused_with_a_message(history, auditor, client):
    client.force_login(auditor)
    page = client.get(history.url).content.decode()
    assert 'data-ack="read-only"' in page and 'data-ack="pending"' not in page
    records = Record.objects.count()
    response = client.post(f"{history.url}acknowledge/", {"version": "2"}, follow=True)
    assert "稽核人員只閱讀、不確認" in response.content.decode()
    assert not Acknowledgement.objects.filter(user=auditor).exists()
    assert Record.objects.count() == records


def test_auditor_home_asks_for_nothing(history, auditor, client):
    client.force_login(auditor)
    html = client.get("/").content.decode()
    assert history.code not in html
    assert "作為稽核人員，你可閱讀一切但無需確認任何內容" in html


def admin_read_urls(page) -> dict[str, str]:
    from wagtail.models import WorkflowState

    state = WorkflowState.objects.for_instance(page).get()
    first, second = page.revisions.order_by("pk").values_list("pk", flat=True)[:2]
    return {
        "review report": reverse("kb_review_due"),
        "page history": reverse("wagtailadmin_pages:history", args=[page.pk]),
        "workflow history": reverse("wagtailadmin_pages:workflow_history", args=[page.pk]),
        "workflow detail": reverse("wagtailadmin_pages:workflow_history_detail", args=[page.pk, state.pk]),
        "revision": reverse("wagtailadmin_pages:revisions_view", args=[page.pk, first]),
        "compare": reverse("wagtailadmin_pages:revisions_compare", args=[page.pk, first, second]),
    }


def test_auditor_reads_the_review_report_workflow_history_and_revisions(history, auditor, client):
    client.force_login(auditor)
    for name, url in admin_read_urls(history).items():
        response = client.get(url)
        assert response.status_code == 200, name
    detail = client.get(admin_read_urls(history)["workflow detail"]).content.decode()
    assert "已核對條文。" in detail
    versions = client.get(f"{history.url}versions/").content.decode()
    assert reverse("wagtailadmin_pages:workflow_history", args=[history.pk]) in versions


def test_staff_still_cannot_read_admin_history(history, make_staff, client):
    client.force_login(make_staff("plain", groups=["Staff"]).user)
    for name, url in admin_read_urls(history).items():
        assert client.get(url).status_code in (302, 403), name


def test_auditor_changes_nothing_through_the_admin(history, auditor, client):
    client.force_login(auditor)
    first = history.revisions.order_by("pk").first()
    live = history.live_revision_id
    refused = [
        ("get", reverse("wagtailadmin_pages:edit", args=[history.pk])),
        ("post", reverse("wagtailadmin_pages:revisions_revert", args=[history.pk, first.pk])),
        ("post", reverse("wagtailadmin_pages:unpublish", args=[history.pk])),
        ("post", reverse("wagtailadmin_pages:delete", args=[history.pk])),
        ("post", reverse("wagtailadmin_pages:lock", args=[history.pk])),
        ("post", reverse("kb_mark_reviewed", args=[history.pk])),
        ("post", f"{history.url}review/"),
        ("post", reverse("wagtailusers_users:add")),
    ]
    for method, url in refused:
        response = getattr(client, method)(url, {"comment": "稽核測試"})
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response["Location"] in ("/admin/", "/"), url
    history.refresh_from_db()
    assert history.live and history.live_revision_id == live and not history.locked
    assert not ProcedureReview.objects.filter(outcome="no_change").exists()
