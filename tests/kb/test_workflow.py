"""Approval: editors submit, a compliance officer approves; nobody approves their own submission."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from kb.models import ProcedurePage, PublishedVersion
from kb.models.workflows import SELF_APPROVAL_REFUSED, NoSelfApprovalTask
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
    assert version.published_by == people["compliance"]  # the approval published it, not the draft's author
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
    for decision in ("approve", "reject"):
        with pytest.raises(PermissionDenied) as refused:
            task.on_action(state, user, decision)
        assert str(refused.value) == str(SELF_APPROVAL_REFUSED)  # says why, and that someone else must
    state.refresh_from_db()
    assert state.status == "in_progress"
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


# --- nobody approves work that is partly their own (issue #9 items 2 and 5) ---------------------------------


def approval_records(page):
    from ledger.models import Record, RecordKind

    return list(Record.objects.filter(kind=RecordKind.APPROVAL, page_id=page.pk).order_by("seq"))


def test_an_approver_who_edited_the_submission_cannot_approve_it_through_the_admin(
    make_procedure, people, client
):
    """The issue's scenario: editor submits; compliance rewrites it and presses Approve on the edit screen."""
    second = people["both"]  # another compliance officer, who had no hand in this version
    page = make_procedure()
    live_before = page.live_revision_id
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])

    client.force_login(people["editor"])
    response = client.post(
        edit_url, edit_form_data(page, change_summary="回覆期限改為 7 個工作天。", **{"action-submit": "1"})
    )
    assert response.status_code == 302
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.current_workflow_state.requested_by == people["editor"]

    client.force_login(people["compliance"])
    assert (
        b'data-workflow-action-name="approve"' in client.get(edit_url).content
    )  # offered before compliance has edited
    rewritten = edit_form_data(
        page,
        title="合規主任自行改寫的程序",
        change_summary="由合規主任改寫。",
        **{"action-workflow-action": "1", "workflow-action-name": "approve"},
    )
    client.post(edit_url, rewritten)
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.live_revision_id == live_before  # not live
    assert page.get_latest_revision().user == people["compliance"]  # the edit itself is kept as a draft

    state = page.current_workflow_task_state
    assert state is not None and state.status == "in_progress"
    task = state.task.specific
    assert task.get_actions(page, people["compliance"]) == []
    assert not task.get_task_states_user_can_moderate(people["compliance"]).exists()
    assert b'data-workflow-action-name="approve"' not in client.get(edit_url).content
    for action in ("approve", "reject"):
        url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])
        client.post(url, {"comment": "自己批自己"})
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.live_revision_id == live_before
    assert page.current_workflow_task_state.status == "in_progress"
    assert approval_records(page) == []

    # the submitter may not either; a third person may
    assert task.get_actions(page, people["editor"]) == []
    assert task.get_task_states_user_can_moderate(second).filter(pk=state.pk).exists()
    client.force_login(second)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    client.post(url, {"comment": "已核對編輯的版本。"})
    # Re-approval on edit: the approval covered the editor's revision; compliance's revision needs its own
    page = ProcedurePage.objects.get(pk=page.pk)
    state = page.current_workflow_task_state
    assert state.revision_id == page.latest_revision_id
    assert page.live_revision_id == live_before
    assert task.get_actions(page, people["compliance"]) == []
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.pk])
    client.post(url, {"comment": "已核對改寫內容。"})
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.live_revision_id == page.latest_revision_id
    assert page.title == "合規主任自行改寫的程序"
    assert [r.actor_username for r in approval_records(page)] == ["both", "both"]
    version = PublishedVersion.objects.filter(page_id=page.pk).order_by("-number").first()
    assert version.approved_by == second


def test_edits_before_the_submission_count_too(make_procedure, people):
    page = make_procedure()
    page = ProcedurePage.objects.get(pk=page.pk)
    page.summary = "合規主任先改的草稿。"
    page.save_revision(user=people["compliance"])  # a draft, before anyone submits
    page = submit(page, people["editor"], change_summary="編輯接手後提交。")
    state = page.current_workflow_task_state
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, people["compliance"], "approve")
    # once that version is live, the next submission is a clean slate for compliance
    state.task.specific.on_action(state, people["both"], "approve")
    page = submit(ProcedurePage.objects.get(pk=page.pk), people["editor"], change_summary="再修訂。")
    assert page.current_workflow_task.get_actions(page, people["compliance"])


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_each_decision_writes_one_ledger_record(make_procedure, people, decision):
    from ledger.models import Outcome

    page = submit(make_procedure(), people["editor"], change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], decision, comment="已核對條文。")
    [record] = approval_records(page)
    assert record.actor_username == "compliance"
    assert record.outcome == (Outcome.APPROVED if decision == "approve" else Outcome.REJECTED)
    assert record.revision_id == state.revision_id
    assert record.subject_type == "kb.procedurepage"
    assert record.title == f"{page.code} {page.title}"
    assert record.data["submitter"] == "editor"
    assert record.data["submitter_id"] == people["editor"].pk
    assert record.data["comment"] == "已核對條文。"


def test_a_failed_ledger_write_rolls_back_the_approval(make_procedure, people, monkeypatch):
    from django.core.exceptions import ValidationError

    import kb.approvals

    page = submit(make_procedure(), people["editor"], change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    live_before = page.live_revision_id

    def broken(**kwargs):
        raise ValidationError("disk full")

    monkeypatch.setattr(kb.approvals, "record_append", broken)
    with pytest.raises(ValidationError):
        state.task.specific.on_action(state, people["compliance"], "approve", comment="")
    page = ProcedurePage.objects.get(pk=page.pk)
    state.refresh_from_db()
    assert page.live_revision_id == live_before
    assert state.status == "in_progress"
    assert PublishedVersion.objects.filter(page_id=page.pk).count() == 1


# --- who sees a submission awaiting their approval (mutation survivors, docs/testing.md) ---
def test_whoever_submitted_someone_elses_draft_does_not_see_it_to_approve(make_procedure, make_staff):
    """The submitter is left out even when every revision since the live one is someone else's."""
    writer = make_staff("writer", groups=["Staff", "Content editor"]).user
    both = make_staff("both", groups=["Staff", "Content editor", "Compliance officer"]).user
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"]).user
    page = ProcedurePage.objects.get(pk=make_procedure().pk)
    page.change_summary = "回覆期限改為 7 個工作天。"
    page.save_revision(user=writer)
    page.get_workflow().start(page, both)  # "both" submits the writer's draft without editing it
    state = ProcedurePage.objects.get(pk=page.pk).current_workflow_task_state
    task = state.task.specific

    assert not task.get_task_states_user_can_moderate(both).filter(pk=state.pk).exists()
    assert task.get_task_states_user_can_moderate(compliance).filter(pk=state.pk).exists()
    assert task.get_actions(page, compliance) and not task.get_actions(page, both)


def test_the_task_type_is_described_to_administrators_in_their_language():
    with translation.override("en"):
        assert NoSelfApprovalTask.get_description() == (
            "Members of the chosen groups approve; nobody who submitted or edited the version can approve or "
            "reject it."
        )
    with translation.override("zh-hant"):
        described = str(NoSelfApprovalTask.get_description())
    assert described and "Members" not in described


def test_a_page_never_published_can_be_approved_by_another_person(make_procedure, people):
    page = ProcedurePage.objects.get(pk=make_procedure("SOP-CS-010", publish=False).pk)
    assert page.live_revision_id is None
    page = submit(page, people["editor"], change_summary="首次發布。")
    state = page.current_workflow_task_state
    task = state.task.specific
    assert task.get_actions(page, people["editor"]) == []
    assert {name for name, *_rest in task.get_actions(page, people["compliance"])} >= {"approve", "reject"}
    assert task.get_task_states_user_can_moderate(people["compliance"]).filter(pk=state.pk).exists()
    assert not task.get_task_states_user_can_moderate(people["editor"]).filter(pk=state.pk).exists()


def test_the_author_of_the_live_version_may_approve_the_next_one(make_procedure, people):
    """Only edits since the live version count: writing the version in force is no hand in the next."""
    page = submit(make_procedure(), people["both"], change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="已核對條文。")
    page = ProcedurePage.objects.get(pk=page.pk)
    assert page.live_revision.user == people["both"]

    page = submit(page, people["editor"], change_summary="新增傳媒查詢升級步驟。")
    state = page.current_workflow_task_state
    task = state.task.specific
    assert task.get_task_states_user_can_moderate(people["both"]).filter(pk=state.pk).exists()
    assert {name for name, *_rest in task.get_actions(page, people["both"])} >= {"approve", "reject"}


def test_a_version_published_without_an_approval_has_no_approval_trail(make_procedure, people, superuser):
    """The trail (submitter, approver, when, comment) comes only from the approved workflow that published
    that revision: not from an earlier approval, nor from a rejected submission of the same revision."""
    page = submit(make_procedure(), people["editor"], change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="已核對條文。")
    approved = PublishedVersion.objects.get(page_id=page.pk, number=2)
    assert (approved.submitted_by, approved.approved_by) == (people["editor"], people["compliance"])
    assert approved.approved_at == type(state).objects.get(pk=state.pk).finished_at
    publish_change(page, user=superuser, change_summary="管理員直接發布。")
    page = submit(ProcedurePage.objects.get(pk=page.pk), people["editor"], change_summary="被退回的修訂。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "reject", comment="請補充依據。")
    type(state.revision).objects.get(pk=state.revision_id).publish(
        user=superuser, skip_permission_checks=True
    )
    trails = [
        (v.number, v.submitted_by, v.approved_by, v.approved_at, v.approval_comment)
        for v in PublishedVersion.objects.filter(page_id=page.pk, number__gt=2).order_by("number")
    ]
    assert trails == [(3, None, None, None, ""), (4, None, None, None, "")]


def test_the_approval_workflow_is_set_up_again_on_a_flushed_database(db):
    """``approval_workflow_ensure`` (the migration, and the demo after a flush): one task for compliance
    officers in one workflow on the whole site; Wagtail's default workflow off and its unused groups gone."""
    from django.contrib.auth.models import Group
    from wagtail.models import Page, Task, Workflow, WorkflowPage

    from kb.services import APPROVAL_TASK_NAME, APPROVAL_WORKFLOW_NAME, approval_workflow_ensure
    from people.roles import COMPLIANCE_OFFICER
    from tests.factories import UserFactory

    def set_up_as_it_should_be():
        task = NoSelfApprovalTask.objects.get(name=APPROVAL_TASK_NAME)
        workflow = Workflow.objects.get(name=APPROVAL_WORKFLOW_NAME)
        assert list(task.groups.values_list("name", flat=True)) == [COMPLIANCE_OFFICER]
        assert [(t.task_id, t.sort_order) for t in workflow.workflow_tasks.all()] == [(task.pk, 0)]
        assert WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow == workflow
        return workflow.active

    defaults = Workflow.objects.get_or_create(name="Moderators approval")[0]
    Workflow.objects.filter(pk=defaults.pk).update(active=True)
    WorkflowPage.objects.update_or_create(page=Page.get_first_root_node(), defaults={"workflow": defaults})
    section = Page.get_first_root_node().get_children().first()
    WorkflowPage.objects.create(page=section, workflow=defaults)  # a section's own workflow stays
    Group.objects.create(name="Moderators")
    kept = UserFactory(username="kept", groups=[Group.objects.create(name="Editors")])
    NoSelfApprovalTask.objects.get(name=APPROVAL_TASK_NAME).groups.set([Group.objects.get(name="Moderators")])

    approval_workflow_ensure()  # the task and workflow exist: they are put right, not duplicated
    assert set_up_as_it_should_be() is True
    assert NoSelfApprovalTask.objects.filter(name=APPROVAL_TASK_NAME).count() == 1
    assert Workflow.objects.get(pk=defaults.pk).active is False
    assert list(Group.objects.filter(name__in=["Moderators", "Editors"]).values_list("name", flat=True)) == [
        "Editors"  # still has a member
    ]

    assert WorkflowPage.objects.get(page=section).workflow_id == defaults.pk

    Workflow.objects.all().delete()  # as a flush leaves it
    Task.objects.all().delete()
    kept.groups.clear()
    approval_workflow_ensure()
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()  # unused now
    approval_workflow_ensure()
    assert set_up_as_it_should_be() is True
    assert Workflow.objects.filter(name=APPROVAL_WORKFLOW_NAME).count() == 1
    assert NoSelfApprovalTask.objects.count() == 1


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_approval_record_holds_the_submission_and_the_decision_exactly(
    make_procedure, make_staff, decision
):
    """The record names the submitter (login and display name), the task and the comment, and is dated when
    the decision was taken."""
    from kb.services import APPROVAL_TASK_NAME

    editor = make_staff("writer", groups=["Staff", "Content editor"], display_name="李美玲")
    compliance = make_staff("officer", groups=["Staff", "Compliance officer"])
    page = submit(make_procedure(), editor.user, change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, compliance.user, decision, comment="")
    [record] = approval_records(page)
    assert record.data == {
        "submitter_id": editor.user_id,
        "submitter": "writer",
        "submitter_name": "李美玲",
        "task": APPROVAL_TASK_NAME,
        "comment": "",
    }
    finished_at = type(state).objects.get(pk=state.pk).finished_at
    assert record.occurred_at == finished_at.replace(microsecond=finished_at.microsecond // 1000 * 1000)


def test_a_submitter_without_a_staff_profile_is_named_by_their_full_name(make_procedure, people):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    author = UserFactory(username="contractor", first_name="Alex", last_name="Wong")
    author.groups.add(*Group.objects.filter(name__in=["Staff", "Content editor"]))
    page = submit(make_procedure(), author, change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="已核對。")
    [record] = approval_records(page)
    assert (record.data["submitter"], record.data["submitter_name"]) == ("contractor", "Alex Wong")


def test_the_record_of_a_page_without_a_reference_is_titled_by_the_page_alone(people, superuser):
    """The workflow covers the whole site: a course page (no code or document number) is approved too."""
    from courses.models import CoursePage
    from tests.factories import CoursePageFactory, CoursesIndexPageFactory
    from website.demo import ensure_site

    course = CoursePageFactory(parent=CoursesIndexPageFactory(parent=ensure_site()), title="投訴處理實務")
    course.save_revision(user=superuser).publish(user=superuser)
    course = CoursePage.objects.get(pk=course.pk)
    course.summary = "新增個案研習。"
    course.save_revision(user=people["editor"])
    course.get_workflow().start(course, people["editor"])
    state = CoursePage.objects.get(pk=course.pk).current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="已核對。")
    [record] = approval_records(course)
    assert (record.title, record.subject_type) == ("投訴處理實務", "courses.coursepage")


def test_a_decision_on_a_submission_whose_submitter_account_is_gone(make_procedure, people):
    """``requested_by`` is cleared when the account is deleted: the record then names no submitter."""
    from wagtail.models import WorkflowState

    page = submit(make_procedure(), people["editor"], change_summary="回覆期限改為 7 個工作天。")
    state = page.current_workflow_task_state
    WorkflowState.objects.filter(pk=state.workflow_state_id).update(requested_by=None)
    state = type(state).objects.get(pk=state.pk)
    state.task.specific.on_action(state, people["compliance"], "reject", comment="請補充依據。")
    [record] = approval_records(page)
    assert {key: record.data[key] for key in ("submitter_id", "submitter", "submitter_name")} == {
        "submitter_id": None,
        "submitter": "",
        "submitter_name": "",
    }


def test_a_version_is_published_by_whoever_publishes_not_the_revisions_author(make_regulation, people):
    """A compliance officer publishes a regulation update another officer drafted: the version names the one
    who put it live (Wagtail's page_published signal does not say; AcknowledgedPage.publish passes it on)."""
    update = make_regulation(publish=False)
    drafter = people["both"]
    revision = update.save_revision(user=drafter)
    revision.publish(user=people["compliance"])
    version = PublishedVersion.objects.get(revision_id=revision.pk)
    assert (version.published_by, revision.user) == (people["compliance"], drafter)


def test_a_scheduled_go_live_keeps_its_own_approval_trail(make_procedure, people, make_staff):
    """Approved for tomorrow; another page is approved and published meanwhile; at go-live the version names
    its own submitter, approver and comment (not the latest approval of any page) and counts as published by
    its approver, Wagtail's scheduler having nobody to name."""
    from django.core.management import call_command
    from django.utils import timezone

    other_approver = make_staff("compliance2", groups=["Staff", "Compliance officer"]).user
    later = make_procedure("SOP-CS-003")
    now_page = make_procedure("SOP-CS-004", title="另一程序")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    later = submit(later, people["editor"], change_summary="明日起生效。", go_live_at=tomorrow)
    state = later.current_workflow_task_state
    state.task.specific.on_action(state, people["compliance"], "approve", comment="同意明日生效。")
    assert PublishedVersion.objects.filter(page_id=later.pk).count() == 1  # scheduled, not live yet
    now_page = submit(now_page, people["both"], change_summary="即時生效。")
    state = now_page.current_workflow_task_state
    state.task.specific.on_action(state, other_approver, "approve", comment="同意即時生效。")

    revision = ProcedurePage.objects.get(pk=later.pk).latest_revision
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    call_command("publish_scheduled", verbosity=0)

    version = PublishedVersion.objects.get(revision_id=revision.pk)
    assert (version.number, version.change_summary) == (2, "明日起生效。")
    assert (version.submitted_by, version.approved_by) == (people["editor"], people["compliance"])
    assert (version.approval_comment, version.published_by) == ("同意明日生效。", people["compliance"])
