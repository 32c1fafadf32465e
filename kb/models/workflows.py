"""Approval task that nobody can complete on work that is partly their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, PagePermissionTester, Revision

from kb.approvals import approval_record

SELF_APPROVAL_REFUSED = _("You submitted or edited this version, so someone else must approve or reject it.")
DECISIONS = frozenset({"approve", "reject"})


class ApprovalOnlyPermissionTester(PagePermissionTester):
    """While an approval workflow covers a procedure, nobody publishes it directly — a superuser included —
    nor creates one already published: the approval (kb.workflows.publish_approved) is the only way a
    version goes live, so every procedure version in force has an approval record in the ledger. The
    admin's publish button, create-and-publish, copy-and-publish and bulk publish all ask these two methods.
    Without a workflow (a site not set up yet) Wagtail's own rules apply."""

    def _under_approval(self) -> bool:
        if not hasattr(self, "_workflow"):
            self._workflow = self.page.get_workflow()
        return self._workflow is not None

    def can_publish(self) -> bool:
        if self.page.publishes_by_approval and self._under_approval():
            return False
        return super().can_publish()

    def can_publish_subpage(self) -> bool:
        if self.page.children_publish_by_approval and self._under_approval():
            return False
        return super().can_publish_subpage()


class PublishedByApproval:
    """Mixin for page models: ``publishes_by_approval`` for the page itself, ``children_publish_by_approval``
    for the pages created under it (see ApprovalOnlyPermissionTester)."""

    publishes_by_approval = False
    children_publish_by_approval = False

    def permissions_for_user(self, user):
        return ApprovalOnlyPermissionTester(user, self)


def _submitter_id(obj) -> int | None:
    state = getattr(obj, "current_workflow_state", None)
    return state.requested_by_id if state else None


def _edits_since_live(obj):
    """Revisions of ``obj`` saved after its live (last approved/published) revision."""
    revisions = Revision.objects.for_instance(obj)
    live_id = getattr(obj, "live_revision_id", None)
    return revisions.filter(pk__gt=live_id) if live_id else revisions


def has_a_hand_in(obj, user) -> bool:
    """Whether ``user`` submitted ``obj``'s workflow or saved any revision since its last published one."""
    return _submitter_id(obj) == user.pk or _edits_since_live(obj).filter(user=user).exists()


class NoSelfApprovalTask(GroupApprovalTask):
    """Group approval where nobody who submitted or edited the pending version may approve or reject it
    (not even a superuser). Each decision is written to the evidence ledger in the same transaction."""

    def get_actions(self, obj, user):
        if has_a_hand_in(obj, user):
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name not in DECISIONS:
            return super().on_action(task_state, user, action_name, **kwargs)
        obj = task_state.workflow_state.content_object
        if has_a_hand_in(obj, user):
            raise PermissionDenied(SELF_APPROVAL_REFUSED)
        with transaction.atomic():
            result = super().on_action(task_state, user, action_name, **kwargs)
            approval_record(task_state=task_state, user=user, approved=action_name == "approve")
        return result

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = (
            super()
            .get_task_states_user_can_moderate(user, **kwargs)
            .exclude(workflow_state__requested_by=user)
        )
        return states.exclude(pk__in=_states_edited_by(states, user))

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve; nobody who submitted or edited the version can approve or "
            "reject it."
        )

    class Meta:
        verbose_name = _("approval by another person")
        verbose_name_plural = _("approvals by another person")


def _states_edited_by(states, user) -> list[int]:
    """Task states (of pages) whose pending changes include a revision by ``user``; three queries."""
    from wagtail.models import Page

    rows = list(states.values_list("pk", "workflow_state__object_id"))
    if not rows:
        return []
    live = dict(
        Page.objects.filter(pk__in={int(object_id) for _pk, object_id in rows}).values_list(
            "pk", "live_revision_id"
        )
    )
    mine = Revision.objects.page_revisions().filter(user=user, object_id__in={oid for _pk, oid in rows})
    edited = {
        object_id
        for object_id, revision_id in mine.values_list("object_id", "pk")
        if revision_id > (live.get(int(object_id)) or 0)
    }
    return [pk for pk, object_id in rows if object_id in edited]
