"""Reads of published versions: the version in force (computed, never a flag), the latest, the upcoming."""

from __future__ import annotations

import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from kb.models import AcknowledgedPage, PublishedVersion


def version_in_force_number(today: datetime.date | None = None) -> Subquery:
    """For annotating pages: the version number in force today."""
    today = today or timezone.localdate()
    return Subquery(
        PublishedVersion.objects.filter(page_id=OuterRef("pk"), effective_date__lte=today)
        .order_by("-number", "-minor")
        .values("number")[:1]
    )


def latest_version(page: AcknowledgedPage) -> PublishedVersion | None:
    return PublishedVersion.objects.of_page(page.pk).first()


def versions_of(page: AcknowledgedPage) -> QuerySet[PublishedVersion]:
    return PublishedVersion.objects.of_page(page.pk).select_related(
        "approved_by__staff_profile", "published_by__staff_profile", "submitted_by__staff_profile"
    )


def version_in_force(
    versions: list[PublishedVersion], today: datetime.date | None = None
) -> PublishedVersion | None:
    """Latest published version whose effective date has come (``versions`` newest first)."""
    today = today or timezone.localdate()
    return next((v for v in versions if v.effective_date <= today), None)


def upcoming_version(
    versions: list[PublishedVersion], today: datetime.date | None = None
) -> PublishedVersion | None:
    today = today or timezone.localdate()
    future = [v for v in versions if v.effective_date > today]
    return future[0] if future else None


def in_force_by_page(page_ids=None, today: datetime.date | None = None) -> dict[int, PublishedVersion]:
    """Version in force per page, in one query."""
    today = today or timezone.localdate()
    qs = PublishedVersion.objects.filter(effective_date__lte=today).order_by("page_id", "-number", "-minor")
    if page_ids is not None:
        qs = qs.filter(page_id__in=page_ids)
    result: dict[int, PublishedVersion] = {}
    for version in qs:
        result.setdefault(version.page_id, version)
    return result
