"""Every version of a procedure in force was approved: nobody publishes one directly, a superuser included,
by any of the admin's publishing paths (the edit form, create-and-publish, bulk publish). The approval
workflow is the only way live, and it writes the record. (Regulation updates are published directly by
compliance officers, their approvers: tests/kb/test_regulations.py.)"""

import pytest
from django.urls import reverse

from kb.models import ProcedurePage
from ledger.models import Record, RecordKind
from tests.kb.fixtures import publish_change
from tests.kb.test_workflow import edit_form_data, submit


@pytest.fixture
def root_user(superuser):
    return superuser


def test_a_superuser_has_no_publish_right_on_procedures_under_approval(make_procedure, area, root_user):
    page = make_procedure()
    assert page.get_workflow() is not None
    assert not page.permissions_for_user(root_user).can_publish()
    assert not area.permissions_for_user(root_user).can_publish_subpage()
    # the holders themselves (not evidence) keep Wagtail's rules
    assert area.permissions_for_user(root_user).can_publish()


def test_the_edit_form_offers_no_publish_and_a_forged_publish_saves_a_draft(
    make_procedure, client, root_user
):
    page = make_procedure()
    live = page.live_revision_id
    client.force_login(root_user)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert 'name="action-publish"' not in client.get(url).content.decode()
    data = edit_form_data(
        page, title="未經審批的版本", change_summary="直接發布。", **{"action-publish": "1"}
    )
    client.post(url, data)
    page.refresh_from_db()
    assert page.live_revision_id == live and page.title != "未經審批的版本"
    assert page.get_latest_revision().content["title"] == "未經審批的版本"  # kept as a draft: nothing lost
    assert page.has_unpublished_changes


def test_bulk_publish_refuses_procedures(make_procedure, client, root_user):
    page = make_procedure()
    draft = ProcedurePage.objects.get(pk=page.pk)
    draft.title = "草稿"
    draft.save_revision(user=root_user)
    live = page.live_revision_id
    client.force_login(root_user)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish")) + f"?id={page.pk}"
    client.post(url, {})
    page.refresh_from_db()
    assert page.live_revision_id == live and page.title != "草稿"


def test_create_and_publish_under_a_duty_area_saves_a_draft(make_procedure, area, client, root_user):
    template = make_procedure()
    client.force_login(root_user)
    url = reverse("wagtailadmin_pages:add", args=("kb", "procedurepage", area.pk))
    assert 'name="action-publish"' not in client.get(url).content.decode()
    data = edit_form_data(template, change_summary="首次發布。", **{"action-publish": "1"})
    data.update(title="新程序", slug="new-procedure", code="SOP-CS-777")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    created = ProcedurePage.objects.get(code="SOP-CS-777")
    assert not created.live and created.live_revision_id is None


def test_the_approval_still_publishes_and_is_recorded(make_procedure, make_staff, root_user):
    page = make_procedure()
    editor = make_staff("editor", groups=["Staff", "Content editor"]).user
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"]).user
    page = submit(page, editor, title="經審批的版本", change_summary="經審批。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, compliance, "approve")
    page.refresh_from_db()
    assert page.live and page.title == "經審批的版本"
    assert Record.objects.filter(kind=RecordKind.APPROVAL, page_id=page.pk, actor=compliance).count() == 1


def test_without_a_workflow_wagtail_rules_apply(make_procedure, root_user):
    from wagtail.models import WorkflowPage

    page = make_procedure()
    WorkflowPage.objects.all().delete()
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.permissions_for_user(root_user).can_publish()
    publish_change(page, title="未設審批")  # the code path tests and the demo use is untouched


def test_regulation_updates_keep_the_compliance_officers_direct_publish(
    make_regulation, make_staff, root_user
):
    from people.roles import sync_roles

    sync_roles()
    page = make_regulation()
    assert page.permissions_for_user(make_staff("co", groups=["Compliance officer"]).user).can_publish()


def test_publishing_in_code_as_a_superuser_is_refused_too(make_procedure, root_user):
    """Wagtail's publish action asks the same question, so a shell session or a script that publishes as a
    user is refused as well; only the approval's publish (which asks no permission) puts a version live."""
    from wagtail.actions.publish_page_revision import PublishPagePermissionError

    page = make_procedure()
    live = page.live_revision_id
    with pytest.raises(PublishPagePermissionError):
        page.save_revision(user=root_user).publish(user=root_user)
    page.refresh_from_db()
    assert page.live_revision_id == live
