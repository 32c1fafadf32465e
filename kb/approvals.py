"""The evidence of each approval decision. Imports no kb models, so the workflow task model can call it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledger.models import Outcome, RecordKind
from ledger.services import record_append
from people.selectors import profile_for

if TYPE_CHECKING:
    from wagtail.models import TaskState


def approval_record(*, task_state: TaskState, user, approved: bool) -> None:
    """Evidence of an approval decision: who approved or rejected which revision, whose submission, and
    why. Called by the workflow task inside the transaction of the decision itself."""
    workflow_state = task_state.workflow_state
    page = workflow_state.content_object.specific
    submitter = workflow_state.requested_by
    reference = getattr(page, "reference", "")
    record_append(
        kind=RecordKind.APPROVAL,
        actor=user,
        subject_type=page._meta.label_lower,
        page_id=page.pk,
        revision_id=task_state.revision_id,
        title=f"{reference} {page.title}".strip(),
        outcome=Outcome.APPROVED if approved else Outcome.REJECTED,
        data={
            "submitter_id": submitter.pk if submitter else None,
            "submitter": submitter.get_username() if submitter else "",
            "submitter_name": _display_name(submitter) if submitter else "",
            "task": str(task_state.task.name),
            "comment": task_state.comment or "",
        },
        occurred_at=task_state.finished_at,
    )


def _display_name(user) -> str:
    profile = profile_for(user)
    return profile.display_name if profile else user.get_full_name()
