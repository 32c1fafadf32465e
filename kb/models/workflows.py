"""Approval task that nobody can complete on their own submission."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask

SELF_APPROVAL_REFUSED = _("You submitted this version, so someone else must approve it.")


def _submitter_id(obj) -> int | None:
    state = getattr(obj, "current_workflow_state", None)
    return state.requested_by_id if state else None


class NoSelfApprovalTask(GroupApprovalTask):
    """Group approval where the person who submitted may not approve or reject (even a superuser)."""

    def get_actions(self, obj, user):
        if _submitter_id(obj) == user.pk:
            return []
        return super().get_actions(obj, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name in {"approve", "reject"} and task_state.workflow_state.requested_by_id == user.pk:
            raise PermissionDenied(SELF_APPROVAL_REFUSED)
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return (
            super()
            .get_task_states_user_can_moderate(user, **kwargs)
            .exclude(workflow_state__requested_by=user)
        )

    @classmethod
    def get_description(cls):
        return _(
            "Members of the chosen groups approve; the submitter can never approve their own submission."
        )

    class Meta:
        verbose_name = _("approval by another person")
        verbose_name_plural = _("approvals by another person")
