"""Reads of the regulation-update feed: unread items, the filtered feed, and the examiner's traceability."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from kb.models import Acknowledgement, ProcedurePage, PublishedVersion, RegulationUpdatePage, ReviewFlag
from people.audience import audience_includes_q
from people.models import StaffProfile

from .acknowledged import AckRow, audience_staff, still_owed_q
from .owed import owed_rows
from .procedures import newer_material_version
from .versions import version_in_force, version_in_force_number, versions_of


def unread_regulations(user, profile: StaffProfile | None) -> QuerySet[RegulationUpdatePage]:
    """Regulation updates this person still has to acknowledge: addressed to them, not acknowledged in the
    version in force, and still owed (``still_owed_q``: not repealed, not replaced for them). One query."""
    acknowledged = Acknowledgement.objects.filter(
        user=user, page_id=OuterRef("pk"), version_number=OuterRef("in_force_number")
    )
    return (
        RegulationUpdatePage.objects.live()
        .filter(audience_includes_q(RegulationUpdatePage, profile))
        .filter(still_owed_q(profile))
        .annotate(in_force_number=version_in_force_number())
        .filter(in_force_number__isnull=False)
        .exclude(Exists(acknowledged))
    )


def regulation_feed(
    index_page,
    *,
    user,
    profile: StaffProfile | None,
    issuer=None,
    impact: str = "",
    status: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tag: str = "",
    unread: bool = False,
) -> QuerySet[RegulationUpdatePage]:
    """The feed: unread items (addressed to the person and still owed by them) first, then newest first (one
    query per page)."""
    today = timezone.localdate()
    acknowledged = Acknowledgement.objects.filter(
        user=user, page_id=OuterRef("pk"), version_number=OuterRef("in_force_number")
    )
    updates = (
        RegulationUpdatePage.objects.live()
        .child_of(index_page)
        .select_related("issuer")
        .annotate(
            in_force_number=version_in_force_number(today),
            addressed=Case(
                When(audience_includes_q(RegulationUpdatePage, profile), then=Value(True)),
                default=Value(False),
            ),
            acknowledged=Exists(acknowledged),
            status_code=RegulationUpdatePage.status_expression(today),
        )
        .annotate(
            is_unread=Case(
                When(
                    Q(addressed=True, acknowledged=False, in_force_number__isnull=False)
                    & still_owed_q(profile, today),
                    then=Value(True),
                ),
                default=Value(False),
            )
        )
    )
    if issuer:
        updates = updates.filter(issuer=issuer)
    if impact:
        updates = updates.filter(impact=impact)
    if status:
        updates = updates.filter(status_code=status)
    if date_from:
        updates = updates.filter(issued_date__gte=date_from)
    if date_to:
        updates = updates.filter(issued_date__lte=date_to)
    if tag:
        updates = updates.filter(tags__name=tag)
    if unread:
        updates = updates.filter(is_unread=True)
    return updates.order_by("-is_unread", "-issued_date", "-pk")


class RowCounts:
    """done / overdue / pending counts over ``self.rows`` (a department, or a whole update)."""

    rows: list[AckRow]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def done(self) -> int:
        return self.count("done") + self.count("late")

    @property
    def overdue(self) -> int:
        return self.count("overdue")

    @property
    def pending(self) -> int:
        return self.count("pending")


@dataclass
class DepartmentTrace(RowCounts):
    department: object
    rows: list[AckRow]


@dataclass
class ProcedureTrace:
    procedure: ProcedurePage
    versions_since: list[PublishedVersion]
    flags: list[ReviewFlag]


@dataclass
class RegulationTrace(RowCounts):
    regulation: RegulationUpdatePage
    identified_at: datetime.datetime | None
    in_force: PublishedVersion | None
    departments: list[DepartmentTrace]
    procedures: list[ProcedureTrace]

    @property
    def rows(self) -> list[AckRow]:
        return [row for department in self.departments for row in department.rows]


def regulation_trace(page: RegulationUpdatePage) -> RegulationTrace:
    """The examiner's three questions for one update: when did we identify it, which procedures did we change,
    who has read it. A fixed number of queries, whatever the number of staff."""
    versions = list(versions_of(page))
    in_force = version_in_force(versions)
    identified = versions[-1].published_at if versions else None
    staff = list(audience_staff(page).order_by("department__code", "employee_number"))
    if in_force:
        rows = owed_rows(staff, [page])  # the obligation table
    else:  # not published yet: who will have to read it
        rows = [AckRow(person, page, None, None, None) for person in staff]
    departments: dict[int, DepartmentTrace] = {}
    for row in rows:
        department = row.person.department
        departments.setdefault(department.pk, DepartmentTrace(department, [])).rows.append(row)
    procedure_ids = list(page.affected_procedures.values_list("procedure_id", flat=True))
    procedures = {p.pk: p for p in ProcedurePage.objects.filter(pk__in=procedure_ids).order_by("code")}
    since = PublishedVersion.objects.filter(page_id__in=procedure_ids).order_by("page_id", "published_at")
    if identified:
        since = since.filter(published_at__gte=identified)
    versions_by_page: dict[int, list[PublishedVersion]] = {}
    for version in since:
        versions_by_page.setdefault(version.page_id, []).append(version)
    flags_by_page: dict[int, list[ReviewFlag]] = {}
    flags = (
        ReviewFlag.objects.filter(regulation=page)
        .select_related("cleared_by__staff_profile")
        .annotate(answered=newer_material_version())
    )
    for flag in flags:
        flags_by_page.setdefault(flag.procedure_id, []).append(flag)
    return RegulationTrace(
        regulation=page,
        identified_at=identified,
        in_force=in_force,
        departments=list(departments.values()),
        procedures=[
            ProcedureTrace(p, versions_by_page.get(pk, []), flags_by_page.get(pk, []))
            for pk, p in procedures.items()
        ],
    )
