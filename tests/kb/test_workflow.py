"""Approval: editors submit, a compliance officer approves; nobody approves their own submission."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kb.models import ProcedurePage, PublishedVersion
from tests.kb.fixtures import publish_change


@pytest.fixture
def people(make_staff):
    return {
        "editor": make_staff("editor", groups=["Staff", "Content editor"]).user,
        "compliance": make_staff("compliance", groups=["Staff", "Compliance officer"]).user,
        "both": make_staff("both", groups=["Staff", "Content editor", "Compliance officer"]).user,
    }


def submit(page: ProcedurePage, user, **changes) -> ProcedurePage:
    page = ProcedurePage.objects.get(pk=page.pk)
    for field, value in changes.items():
        setattr(page, field, value)
    page.save_revision(user=user)
    page.get_workflow().start(page, user)
    return ProcedurePage.objects.get(pk=page.pk)


def test_editors_and_compliance_cannot_publish_directly(make_procedure, people):
    page = make_procedure()
    for user in people.values():
        assert not page.permissions_for_user(user).can_publish()


def test_compliance_approval_publishes_and_is_recorded(make_procedure, people):
    page = make_procedure()
    page = submit(page, people["editor"], change_summary="回覆期限改為 7 個工作天。")
    assert page.live_revision_id != page.latest_revision_id
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="已核對條文。")
    page.refresh_from_db()
    version = PublishedVersion.objects.filter(page_id=page.pk).order_by("-number").first()
    assert page.live_revision_id == page.latest_revision_id
    assert (version.number, version.change_summary) == (2, "回覆期限改為 7 個工作天。")
    assert version.submitted_by == people["editor"]
    assert version.approved_by == people["compliance"]
    assert version.approval_comment == "已核對條文。"
    assert version.revision_id == page.live_revision_id


@pytest.mark.parametrize("submitter", ["both", "compliance"])
def test_no_self_approval_even_with_both_roles(make_procedure, people, submitter):
    page = make_procedure()
    user = people[submitter]
    page = submit(page, user, change_summary="自行修改。")
    state = page.current_workflow_task_state
    task = state.task.specific
    assert task.get_actions(page, user) == []
    assert not task.get_task_states_user_can_moderate(user).exists()
    with pytest.raises(PermissionDenied):
        task.on_action(state, user, "approve")
    page.refresh_from_db()
    assert page.live_revision_id != page.latest_revision_id
    assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1


def test_self_approval_refused_through_the_admin_url(make_procedure, people, client):
    page = make_procedure()
    page = submit(page, people["both"], change_summary="自行修改。")
    state = page.current_workflow_task_state
    client.force_login(people["both"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    response = client.post(url, {"comment": ""})
    assert response.status_code in (302, 403)
    page.refresh_from_db()
    assert page.live_revision_id != page.latest_revision_id
    assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1
    # another compliance officer can
    client.force_login(people["compliance"])
    client.post(url, {"comment": ""})
    page.refresh_from_db()
    assert page.live_revision_id == page.latest_revision_id


def edit_form_data(page: ProcedurePage, **overrides) -> dict:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

    step = {
        "title": "受理及登記",
        "instructions": rich_text("<p>於系統登記。</p>"),
        "responsible_role": "前線客戶服務主任",
        "time_limit": "即時",
        "note_kind": "",
        "note": "",
    }
    data = {
        "title": page.title,
        "slug": page.slug,
        "code": page.code,
        "summary": page.summary,
        "purpose": rich_text("<p>確保投訴於限期內妥善處理。</p>"),
        "scope": rich_text("<p>適用於所有前線同事。</p>"),
        "responsibilities": streamfield([("responsibility", {"role": "組長", "duty": "審批回覆"})]),
        "steps": streamfield([("step", step)]),
        "attachments": inline_formset([]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
        "tags": "",
        "content_owner": page.content_owner_id,
        "owning_department": page.owning_department_id,
        "effective_date": "2026-01-01",
        "review_interval_months": 12,
        "audience_all": "on",
        "ack_due_days": 14,
        "change_summary": "",
        "seo_title": "",
        "search_description": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_admin_edit_refuses_a_repeated_change_summary(make_procedure, people, client):
    page = make_procedure()
    page = publish_change(page, change_summary="回覆期限改為 7 個工作天。")
    client.force_login(people["editor"])
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_form_data(page, change_summary="回覆期限改為 7 個工作天。"))
    assert response.status_code == 200
    assert "change_summary" in response.context["form"].errors
    before = page.latest_revision_id
    page.refresh_from_db()
    assert page.latest_revision_id == before  # nothing saved

    response = client.post(url, edit_form_data(page, change_summary="新增傳媒查詢升級步驟。"))
    assert response.status_code == 302, response.context["form"].errors
    page.refresh_from_db()
    assert page.latest_revision_id != before


def test_admin_edit_refuses_an_effective_date_before_the_current_version(make_procedure, people, client):
    page = make_procedure(effective_date=datetime.date(2026, 3, 1))
    client.force_login(people["editor"])
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_form_data(page, change_summary="改期。", effective_date="2025-12-01"))
    assert response.status_code == 200
    assert "effective_date" in response.context["form"].errors
