"""Reads of the procedure library: duty areas, procedures with the reader's state, the review cycle."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, QuerySet
from django.utils import timezone

from core.dates import add_months
from kb.models import (
    Acknowledgement,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureReview,
    ProceduresIndexPage,
    PublishedVersion,
    ReviewFlag,
)
from people.access import is_read_only
from people.models import StaffProfile

from .versions import in_force_by_page

# Compliance officers (and superusers) record reviews of any procedure; owners of their own.
REVIEW_ANY = "kb.add_procedurereview"
# Auditors read every page's admin history, workflow history and revisions (kb.admin_views).
AUDIT_READ = "kb.view_publishedversion"


def categories_with_counts(index_page: ProceduresIndexPage) -> list[ProcedureCategoryPage]:
    """Live duty areas with ``procedure_count`` (live procedures), in two queries."""
    categories = list(ProcedureCategoryPage.objects.child_of(index_page).live().order_by("number"))
    paths = list(ProcedurePage.objects.descendant_of(index_page).live().values_list("path", flat=True))
    for category in categories:
        category.procedure_count = sum(1 for path in paths if path.startswith(category.path))
    return categories


def procedures_in(category: ProcedureCategoryPage, *, user) -> list[ProcedurePage]:
    """Live procedures of a duty area with their version in force and the user's acknowledgement state."""
    pages = list(
        ProcedurePage.objects.child_of(category).live().select_related("content_owner").order_by("code")
    )
    versions = in_force_by_page([p.pk for p in pages])
    acked = set(
        Acknowledgement.objects.filter(user=user, page_id__in=[p.pk for p in pages]).values_list(
            "page_id", "version_number"
        )
    )
    for page in pages:
        page.version = versions.get(page.pk)
        page.acknowledged = bool(page.version and (page.pk, page.version.number) in acked)
    return pages


@dataclass(frozen=True)
class ReviewDue:
    page: ProcedurePage
    last_reviewed: datetime.date
    next_review: datetime.date
    flags: tuple[ReviewFlag, ...] = ()

    @property
    def days_late(self) -> int:
        return (timezone.localdate() - self.next_review).days


def newer_material_version() -> Exists:
    """For annotating review flags: the procedure has a material version published after the flag was raised
    (that version answered the regulation, so the flag is settled even if nothing cleared it)."""
    return Exists(
        PublishedVersion.objects.filter(
            page_id=OuterRef("procedure_id"), is_material=True, published_at__gt=OuterRef("raised_at")
        )
    )


def open_review_flags(procedure_ids=None) -> QuerySet[ReviewFlag]:
    """Flags still waiting for the owner: not cleared, and no material version of the procedure since."""
    flags = (
        ReviewFlag.objects.filter(cleared_at__isnull=True)
        .exclude(newer_material_version())
        .select_related("regulation")
    )
    return flags.filter(procedure_id__in=procedure_ids) if procedure_ids is not None else flags


def review_schedule(*, within_days: int = 30, owner: StaffProfile | None = None) -> list[ReviewDue]:
    """Procedures flagged by a regulation update, or whose next review (last review + interval) falls within
    ``within_days``: flagged first, then by date. Three queries."""
    today = timezone.localdate()
    pages = (
        ProcedurePage.objects.live()
        .select_related("content_owner", "owning_department")
        .annotate(last_review=Max("reviews__reviewed_on"))
    )
    if owner is not None:
        pages = pages.filter(content_owner=owner)
    pages = list(pages)
    flags: dict[int, list[ReviewFlag]] = {}
    for flag in open_review_flags([p.pk for p in pages]):
        flags.setdefault(flag.procedure_id, []).append(flag)
    horizon = today + datetime.timedelta(days=within_days)
    due = []
    for page in pages:
        last = page.last_review or timezone.localtime(page.first_published_at).date()
        next_review = add_months(last, page.review_interval_months)
        if next_review <= horizon or page.pk in flags:
            due.append(ReviewDue(page, last, next_review, tuple(flags.get(page.pk, ()))))
    return sorted(due, key=lambda item: (not item.flags, item.next_review, item.page.code))


def reviewable_ids(user, pages) -> set[int]:
    """Which of ``pages`` (procedures) ``user`` may record a review of: their own (as content owner), or any
    with ``REVIEW_ANY``; never as an auditor. At most two queries."""
    if not user.is_authenticated or is_read_only(user):
        return set()
    if user.has_perm(REVIEW_ANY):
        return {page.pk for page in pages}
    profile_id = StaffProfile.objects.filter(user=user).values_list("pk", flat=True).first()
    return {page.pk for page in pages if profile_id is not None and page.content_owner_id == profile_id}


def can_review_procedure(user, page: ProcedurePage) -> bool:
    return page.pk in reviewable_ids(user, [page])


def latest_review(page: ProcedurePage) -> ProcedureReview | None:
    return page.reviews.select_related("reviewed_by__staff_profile").first()
