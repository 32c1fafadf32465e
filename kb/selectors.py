"""Reads for procedures: version in force, pending acknowledgements, review due. Fixed query counts."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Max, QuerySet
from django.utils import timezone

from kb.models import (
    Acknowledgement,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureReview,
    ProcedureVersion,
    ProceduresIndexPage,
)
from website.people.models import StaffProfile


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def latest_version(page: ProcedurePage) -> ProcedureVersion | None:
    return ProcedureVersion.objects.filter(page_id=page.pk).order_by("-number", "-minor").first()


def versions_of(page: ProcedurePage) -> QuerySet[ProcedureVersion]:
    return (
        ProcedureVersion.objects.filter(page_id=page.pk)
        .select_related("approved_by__staff_profile", "published_by__staff_profile", "submitted_by__staff_profile")
        .order_by("-number", "-minor")
    )


def version_in_force(versions: list[ProcedureVersion], today: datetime.date | None = None) -> ProcedureVersion | None:
    """Latest published version whose effective date has come (``versions`` newest first)."""
    today = today or timezone.localdate()
    return next((v for v in versions if v.effective_date <= today), None)


def upcoming_version(versions: list[ProcedureVersion], today: datetime.date | None = None) -> ProcedureVersion | None:
    today = today or timezone.localdate()
    future = [v for v in versions if v.effective_date > today]
    return future[0] if future else None


def in_force_by_page(page_ids=None, today: datetime.date | None = None) -> dict[int, ProcedureVersion]:
    """Version in force per procedure page, in one query."""
    today = today or timezone.localdate()
    qs = ProcedureVersion.objects.filter(effective_date__lte=today).order_by("page_id", "-number", "-minor")
    if page_ids is not None:
        qs = qs.filter(page_id__in=page_ids)
    result: dict[int, ProcedureVersion] = {}
    for version in qs:
        result.setdefault(version.page_id, version)
    return result


def categories_with_counts(index_page: ProceduresIndexPage) -> list[ProcedureCategoryPage]:
    """Live duty areas with ``procedure_count`` (live procedures), in two queries."""
    categories = list(ProcedureCategoryPage.objects.child_of(index_page).live().order_by("number"))
    paths = list(ProcedurePage.objects.descendant_of(index_page).live().values_list("path", flat=True))
    for category in categories:
        category.procedure_count = sum(1 for path in paths if path.startswith(category.path))
    return categories


def procedures_in(category: ProcedureCategoryPage, *, user) -> list[ProcedurePage]:
    """Live procedures of a duty area with their version in force and the user's acknowledgement state."""
    pages = list(ProcedurePage.objects.child_of(category).live().select_related("content_owner").order_by("code"))
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
class PendingAck:
    page: ProcedurePage
    version: ProcedureVersion
    due_date: datetime.date

    @property
    def overdue(self) -> bool:
        return self.due_date < timezone.localdate()


def pending_acknowledgements(user, profile: StaffProfile | None) -> list[PendingAck]:
    """Procedures in force this person must acknowledge and has not yet, soonest due first (4 queries)."""
    if profile is None:
        return []
    versions = in_force_by_page()
    if not versions:
        return []
    pages = (
        ProcedurePage.objects.live()
        .filter(pk__in=versions.keys())
        .prefetch_related("audience_departments", "audience_positions")
    )
    done = set(Acknowledgement.objects.filter(user=user).values_list("page_id", "version_number"))
    pending = []
    for page in pages:
        version = versions[page.pk]
        if (page.pk, version.number) in done or not page.in_audience(profile):
            continue
        pending.append(PendingAck(page, version, version.ack_due(page.ack_due_days, profile.hire_date)))
    return sorted(pending, key=lambda item: (item.due_date, item.page.code))


@dataclass(frozen=True)
class ReviewDue:
    page: ProcedurePage
    last_reviewed: datetime.date
    next_review: datetime.date

    @property
    def days_late(self) -> int:
        return (timezone.localdate() - self.next_review).days


def review_schedule(*, within_days: int = 30, owner: StaffProfile | None = None) -> list[ReviewDue]:
    """Procedures whose next review (last review + interval) falls within ``within_days``; latest first."""
    today = timezone.localdate()
    pages = (
        ProcedurePage.objects.live()
        .select_related("content_owner", "owning_department")
        .annotate(last_review=Max("reviews__reviewed_on"))
    )
    if owner is not None:
        pages = pages.filter(content_owner=owner)
    horizon = today + datetime.timedelta(days=within_days)
    due = []
    for page in pages:
        last = page.last_review or timezone.localtime(page.first_published_at).date()
        next_review = add_months(last, page.review_interval_months)
        if next_review <= horizon:
            due.append(ReviewDue(page, last, next_review))
    return sorted(due, key=lambda item: (item.next_review, item.page.code))


def latest_review(page: ProcedurePage) -> ProcedureReview | None:
    return page.reviews.select_related("reviewed_by__staff_profile").first()
