"""What happens when a workflow is approved (settings.WAGTAIL_FINISH_WORKFLOW_ACTION).

Wagtail imports this while its own models load: import nothing here at module level."""

from __future__ import annotations


def publish_approved(workflow_state, user=None) -> None:
    """Publish the approved revision. The approval is the permission: approvers hold no direct publish right,
    so nobody can put content live without a second person (see kb.models.workflows.NoSelfApprovalTask)."""
    workflow_state.content_object.get_latest_revision().publish(user=user, skip_permission_checks=True)
