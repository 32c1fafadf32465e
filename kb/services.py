"""Writes for procedures and regulation updates: record a published version, acknowledge it, flag and review
procedures."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision, TaskState, WorkflowState

from assignments.services import obligation_fulfil
from kb.models import (
    AcknowledgedPage,
    Acknowledgement,
    ProcedurePage,
    ProcedureReview,
    PublishedVersion,
    RegulationUpdatePage,
    ReviewFlag,
)
from kb.selectors import (
    acknowledgement_due,
    can_review_procedure,
    in_force_by_page,
    latest_version,
    newer_material_version,
)
from kb.signals import regulation_published
from ledger.models import Outcome, RecordKind
from ledger.services import record_append
from people.access import is_read_only
from people.selectors import profile_for
from quizzes.models import Attempt, AttemptState

ACK_NOT_IN_FORCE = _("This procedure has no version in force yet, so there is nothing to acknowledge.")
ACK_SUPERSEDED = _(
    "Version %(asked)s has been replaced by version %(current)s. Please read the version in force and "
    "acknowledge that one."
)
ACK_CHECK_REQUIRED = _("Pass the comprehension check first: passing it records your acknowledgement.")
REVIEW_COMMENT_REQUIRED = _("Say briefly what you checked (the comment is part of the review record).")
REVIEW_NOT_ALLOWED = _(
    "Only the procedure's owner or a compliance officer can record that it was reviewed with no change."
)
ACK_READ_ONLY = _("Auditors read without acknowledging: your role records nothing, so nothing was recorded.")


class AcknowledgementError(ValueError):
    pass


class ReviewNotAllowed(PermissionDenied):
    pass


def _approval_of(page: AcknowledgedPage, revision: Revision) -> tuple[WorkflowState | None, TaskState | None]:
    """The approved workflow that published this revision, if publishing went through one."""
    state = (
        WorkflowState.objects.for_instance(page)
        .filter(status=WorkflowState.STATUS_APPROVED, current_task_state__revision=revision)
        .select_related("requested_by")
        .order_by("-created_at")
        .first()
    )
    if state is None:
        return None, None
    task = (
        TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_APPROVED)
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    return state, task


@transaction.atomic
def version_record_publish(page: AcknowledgedPage, revision: Revision, *, user=None) -> PublishedVersion:
    """Called on every publish: number the version and keep the approval trail. A material procedure version
    counts as a review and clears regulation flags; a regulation update flags the procedures it affects.
    ``user`` is who published (the approver whose approval published it, or whoever pressed publish); a
    scheduled go-live has nobody, and counts as published by its approver, else by the revision's author."""
    existing = PublishedVersion.objects.filter(revision_id=revision.pk).first()
    if existing:
        return existing
    last = latest_version(page)
    material = last is None or not page.is_minor_change
    state, task = _approval_of(page, revision)
    version = PublishedVersion.objects.create(
        page_id=page.pk,
        revision_id=revision.pk,
        number=(last.number + 1 if last else 1) if material else last.number,
        minor=0 if material else last.minor + 1,
        is_material=material,
        reference=page.reference,
        title=page.title,
        effective_date=page.version_effective_date(),
        change_summary=page.change_summary,
        published_at=timezone.now(),
        published_by=user or (task.finished_by if task else None) or revision.user,
        submitted_by=state.requested_by if state else None,
        approved_by=task.finished_by if task else None,
        approved_at=task.finished_at if task else None,
        approval_comment=task.comment if task else "",
    )
    if isinstance(page, ProcedurePage) and material:
        ProcedureReview.objects.create(
            page_id=page.pk,
            reviewed_on=timezone.localdate(),
            reviewed_by=version.submitted_by or version.published_by,
            outcome=ProcedureReview.NEW_VERSION,
            comment=page.change_summary,
        )
        _clear_flags(
            page, version.submitted_by or version.published_by, f"v{version.label}: {page.change_summary}"
        )
    if isinstance(page, RegulationUpdatePage):
        review_flags_raise(page, material=material)
        transaction.on_commit(
            lambda: regulation_published.send(sender=RegulationUpdatePage, page=page, version=version)
        )
    return version


def review_flags_raise(regulation: RegulationUpdatePage, *, material: bool = True) -> list[ReviewFlag]:
    """Flag every live procedure this update affects (one open flag per procedure and update). A minor change
    (a typo, formatting) flags only procedures newly listed as affected: the owners who answered the update
    need not answer its typo fix."""
    flagged = ReviewFlag.objects.filter(regulation=regulation)
    if material:
        flagged = flagged.filter(cleared_at__isnull=True)
    already = set(flagged.values_list("procedure_id", flat=True))
    flags = [
        ReviewFlag(procedure_id=link.procedure_id, regulation=regulation)
        for link in regulation.affected_procedures.all()
        if link.procedure_id not in already
    ]
    return ReviewFlag.objects.bulk_create(flags)


def review_flags_settle() -> int:
    """Clear open flags that a later material version of their procedure already answered, as of that version
    (its publisher, its date, its "what changed"). Needed when versions are dated back (the demo, an import);
    ``kb.selectors.open_review_flags`` never shows such flags meanwhile."""
    settled = 0
    for flag in ReviewFlag.objects.filter(cleared_at__isnull=True).filter(newer_material_version()):
        version = (
            PublishedVersion.objects.filter(
                page_id=flag.procedure_id, is_material=True, published_at__gt=flag.raised_at
            )
            .order_by("published_at")
            .first()
        )
        flag.cleared_at = version.published_at
        flag.cleared_by = version.submitted_by or version.published_by
        flag.cleared_note = f"v{version.label}: {version.change_summary}"
        flag.save(update_fields=["cleared_at", "cleared_by", "cleared_note"])
        settled += 1
    return settled


def _clear_flags(procedure: ProcedurePage, user, note: str) -> int:
    return ReviewFlag.objects.filter(procedure_id=procedure.pk, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=user, cleared_note=note
    )


def comprehension_check_passed(user, page: AcknowledgedPage, version: PublishedVersion) -> bool:
    """Has ``user`` passed the page's comprehension check for this page since ``version`` was published?"""
    return Attempt.objects.filter(
        user=user,
        quiz_id=page.comprehension_quiz_id,
        for_page_id=page.pk,
        state=AttemptState.GRADED,
        passed=True,
        started_at__gte=version.published_at,
    ).exists()


def acknowledge(
    *, user, page: AcknowledgedPage, version_number: int, at: datetime.datetime | None = None
) -> tuple[Acknowledgement, bool]:
    """Confirm having read the version in force. Returns (acknowledgement, created); a repeat changes nothing.

    A page with a comprehension check is acknowledged only after a pass (kb.signal_handlers does it on the
    pass, in the grading transaction). ``at`` is for importing historical evidence (demo data); default now.
    """
    if is_read_only(user):
        raise AcknowledgementError(ACK_READ_ONLY)
    version = in_force_by_page([page.pk]).get(page.pk)
    if version is None:
        raise AcknowledgementError(ACK_NOT_IN_FORCE)
    if version_number != version.number:
        raise AcknowledgementError(ACK_SUPERSEDED % {"asked": version_number, "current": version.label})
    existing = Acknowledgement.objects.filter(
        user=user, page_id=page.pk, version_number=version.number
    ).first()
    if existing:
        return existing, False
    if page.comprehension_quiz_id and not comprehension_check_passed(user, page, version):
        raise AcknowledgementError(ACK_CHECK_REQUIRED)
    profile = profile_for(user)
    due = acknowledgement_due(page, version, profile.hire_date if profile else None)
    now = at or timezone.now()
    on_time = timezone.localdate(now) <= due
    try:
        with transaction.atomic():
            record = record_append(
                kind=RecordKind.ACKNOWLEDGEMENT,
                actor=user,
                subject_type=page._meta.label_lower,
                page_id=page.pk,
                revision_id=version.revision_id,
                title=f"{page.reference} {page.title}",
                outcome=Outcome.ACKNOWLEDGED,
                data={"version": version.label, "due": due.isoformat(), "on_time": on_time},
                occurred_at=now,
            )
            ack = Acknowledgement.objects.create(
                user=user,
                page_id=page.pk,
                version_number=version.number,
                revision_id=version.revision_id,
                record=record,
                acknowledged_at=record.occurred_at,  # the record's time, as stored (whole milliseconds)
                due_date=due,
                on_time=on_time,
            )
            obligation_fulfil(
                user=user,
                target=page,
                at=ack.acknowledged_at,
                record=record,
                cycle=version.number,
                on_time=on_time,
            )
    except IntegrityError:  # a double click raced us: the first one stands
        return Acknowledgement.objects.get(user=user, page_id=page.pk, version_number=version.number), False
    return ack, True


@transaction.atomic
def procedure_mark_reviewed(
    *, user, page: ProcedurePage, comment: str, on: datetime.date | None = None
) -> ProcedureReview:
    """ "Reviewed, no change": restarts the review cycle and clears regulation flags without a new version.

    Only the owner, a compliance officer or a superuser may (``kb.selectors.reviewable_ids``)."""
    if not can_review_procedure(user, page):
        raise ReviewNotAllowed(REVIEW_NOT_ALLOWED)
    comment = comment.strip()
    if not comment:
        raise AcknowledgementError(REVIEW_COMMENT_REQUIRED)
    review = ProcedureReview.objects.create(
        page_id=page.pk,
        reviewed_on=on or timezone.localdate(),
        reviewed_by=user,
        outcome=ProcedureReview.NO_CHANGE,
        comment=comment,
    )
    version = latest_version(page)
    record_append(
        kind=RecordKind.REVIEW,
        actor=user,
        subject_type="kb.procedurepage",
        page_id=page.pk,
        revision_id=version.revision_id if version else None,
        title=f"{page.code} {page.title}",
        outcome=Outcome.REVIEWED,
        data={"result": "no_change", "comment": comment, "version": version.label if version else None},
    )
    _clear_flags(page, user, comment)
    return review


APPROVAL_WORKFLOW_NAME = "程序及內容審批 Content approval"
APPROVAL_TASK_NAME = "合規主任審批 Compliance approval"


def approval_workflow_ensure() -> None:
    """One workflow on the whole site: editors submit, a compliance officer (not the submitter) approves.

    Replaces Wagtail's default "Moderators approval" workflow and its unused default groups.
    """
    from django.contrib.auth.models import Group
    from wagtail.models import Page, Workflow, WorkflowPage, WorkflowTask

    from kb.models import NoSelfApprovalTask
    from people.roles import COMPLIANCE_OFFICER

    task = NoSelfApprovalTask.objects.filter(name=APPROVAL_TASK_NAME).first()
    if task is None:
        task = NoSelfApprovalTask.objects.create(name=APPROVAL_TASK_NAME)
    task.groups.set([Group.objects.get(name=COMPLIANCE_OFFICER)])
    workflow, _ = Workflow.objects.get_or_create(name=APPROVAL_WORKFLOW_NAME)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    root = Page.get_first_root_node()
    WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    Workflow.objects.filter(name="Moderators approval").exclude(pk=workflow.pk).update(active=False)
    Group.objects.filter(name__in=["Moderators", "Editors"], user__isnull=True).delete()
