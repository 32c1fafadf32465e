"""Reads for procedures and regulation updates: versions in force, audiences, pending acknowledgements, unread
counts, review due. Each runs a fixed number of queries."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from kb.models import (
    AcknowledgedPage,
    Acknowledgement,
    ProcedureCategoryPage,
    ProcedurePage,
    ProcedureReview,
    ProceduresIndexPage,
    PublishedVersion,
    RegulationUpdatePage,
    ReviewFlag,
)
from people.access import is_read_only
from people.models import StaffProfile

# Compliance officers (and superusers) record reviews of any procedure; owners of their own.
REVIEW_ANY = "kb.add_procedurereview"
# Auditors read every page's admin history, workflow history and revisions (kb.admin_views).
AUDIT_READ = "kb.view_publishedversion"

ACKNOWLEDGED_TYPES: tuple[type[AcknowledgedPage], ...] = (ProcedurePage, RegulationUpdatePage)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def audience_q(model: type[AcknowledgedPage], profile: StaffProfile | None) -> Q:
    """Pages whose audience includes ``profile``: all staff, or their department and/or position.

    When both departments and positions are listed, a person must match both. Inactive people match nothing.
    """
    if profile is None or not profile.is_active:
        return Q(pk__in=[])

    def listed(field: str, value_field: str, value) -> tuple[Exists, Exists]:
        relation = model._meta.get_field(field)
        through = relation.remote_field.through
        owner = relation.m2m_field_name()
        rows = through.objects.filter(**{owner: OuterRef("pk")})
        return Exists(rows), Exists(rows.filter(**{value_field: value}))

    has_dept, in_dept = listed("audience_departments", "department", profile.department_id)
    has_pos, in_pos = listed("audience_positions", "position", profile.position_id)
    return Q(audience_all=True) | ((~has_dept | in_dept) & (~has_pos | in_pos) & (has_dept | has_pos))


def version_in_force_number(today: datetime.date | None = None) -> Subquery:
    """For annotating pages: the version number in force today."""
    today = today or timezone.localdate()
    return Subquery(
        PublishedVersion.objects.filter(page_id=OuterRef("pk"), effective_date__lte=today)
        .order_by("-number", "-minor")
        .values("number")[:1]
    )


def latest_version(page: AcknowledgedPage) -> PublishedVersion | None:
    return PublishedVersion.objects.filter(page_id=page.pk).order_by("-number", "-minor").first()


def versions_of(page: AcknowledgedPage) -> QuerySet[PublishedVersion]:
    return (
        PublishedVersion.objects.filter(page_id=page.pk)
        .select_related(
            "approved_by__staff_profile", "published_by__staff_profile", "submitted_by__staff_profile"
        )
        .order_by("-number", "-minor")
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
    """Version in force per procedure page, in one query."""
    today = today or timezone.localdate()
    qs = PublishedVersion.objects.filter(effective_date__lte=today).order_by("page_id", "-number", "-minor")
    if page_ids is not None:
        qs = qs.filter(page_id__in=page_ids)
    result: dict[int, PublishedVersion] = {}
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
class PendingAck:
    page: AcknowledgedPage
    version: PublishedVersion
    due_date: datetime.date

    @property
    def overdue(self) -> bool:
        return self.due_date < timezone.localdate()

    @property
    def kind(self) -> str:
        return self.page._meta.model_name


def pending_acknowledgements(user, profile: StaffProfile | None) -> list[PendingAck]:
    """Procedures and regulation updates this person must acknowledge and has not yet, soonest due first.

    One query for the versions in force, one for the person's acknowledgements, one per page type.
    """
    if profile is None:
        return []
    versions = in_force_by_page()
    if not versions:
        return []
    done = set(Acknowledgement.objects.filter(user=user).values_list("page_id", "version_number"))
    pending = []
    for model in ACKNOWLEDGED_TYPES:
        for page in model.objects.live().filter(pk__in=versions.keys()).filter(audience_q(model, profile)):
            version = versions[page.pk]
            if (page.pk, version.number) not in done:
                pending.append(
                    PendingAck(page, version, version.ack_due(page.ack_due_days, profile.hire_date))
                )
    return sorted(pending, key=lambda item: (item.due_date, item.page.reference))


def unread_regulations(user, profile: StaffProfile | None) -> QuerySet[RegulationUpdatePage]:
    """Regulation updates addressed to this person whose version in force they have not acknowledged."""
    acknowledged = Acknowledgement.objects.filter(
        user=user, page_id=OuterRef("pk"), version_number=OuterRef("in_force_number")
    )
    return (
        RegulationUpdatePage.objects.live()
        .filter(audience_q(RegulationUpdatePage, profile))
        .annotate(in_force_number=version_in_force_number())
        .filter(in_force_number__isnull=False)
        .exclude(Exists(acknowledged))
    )


@dataclass(frozen=True)
class ReviewDue:
    page: ProcedurePage
    last_reviewed: datetime.date
    next_review: datetime.date
    flags: tuple[ReviewFlag, ...] = ()

    @property
    def days_late(self) -> int:
        return (timezone.localdate() - self.next_review).days


def open_review_flags(procedure_ids=None) -> QuerySet[ReviewFlag]:
    flags = ReviewFlag.objects.filter(cleared_at__isnull=True).select_related("regulation")
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
    """The feed: unread items addressed to the person first, then newest first (one query per page)."""
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
                When(audience_q(RegulationUpdatePage, profile), then=Value(True)), default=Value(False)
            ),
            acknowledged=Exists(acknowledged),
            status_code=RegulationUpdatePage.status_expression(today),
        )
        .annotate(
            is_unread=Case(
                When(Q(addressed=True, acknowledged=False, in_force_number__isnull=False), then=Value(True)),
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


def audience_staff(page: AcknowledgedPage) -> QuerySet[StaffProfile]:
    """Active staff who must acknowledge ``page`` (the inverse of ``audience_q``)."""
    staff = StaffProfile.objects.filter(is_active=True).select_related("department", "position", "user")
    if page.audience_all:
        return staff
    departments = [d.pk for d in page.audience_departments.all()]
    positions = [p.pk for p in page.audience_positions.all()]
    if not departments and not positions:
        return staff.none()
    if departments:
        staff = staff.filter(department_id__in=departments)
    if positions:
        staff = staff.filter(position_id__in=positions)
    return staff


@dataclass(frozen=True)
class TraceRow:
    person: StaffProfile
    status: str  # "done", "late" (done after the due date), "overdue", "pending"
    due_date: datetime.date | None
    acknowledged_at: datetime.datetime | None


class RowCounts:
    """done / overdue / pending counts over ``self.rows`` (a department, or a whole update)."""

    rows: list[TraceRow]

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
    rows: list[TraceRow]


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
    def rows(self) -> list[TraceRow]:
        return [row for department in self.departments for row in department.rows]


def regulation_trace(page: RegulationUpdatePage) -> RegulationTrace:
    """The examiner's three questions for one update: when did we identify it, which procedures did we change,
    who has read it. A fixed number of queries, whatever the number of staff."""
    versions = list(versions_of(page))
    in_force = version_in_force(versions)
    identified = versions[-1].published_at if versions else None
    acks = {}
    if in_force:
        acks = {
            a.user_id: a
            for a in Acknowledgement.objects.filter(page_id=page.pk, version_number=in_force.number)
        }
    today = timezone.localdate()
    departments: dict[int, DepartmentTrace] = {}
    for person in audience_staff(page).order_by("department__code", "employee_number"):
        due = in_force.ack_due(page.ack_due_days, person.hire_date) if in_force else None
        ack = acks.get(person.user_id)
        if ack:
            status = "done" if ack.on_time else "late"
        else:
            status = "overdue" if due and due < today else "pending"
        row = TraceRow(person, status, due, ack.acknowledged_at if ack else None)
        departments.setdefault(person.department_id, DepartmentTrace(person.department, [])).rows.append(row)
    procedure_ids = list(page.affected_procedures.values_list("procedure_id", flat=True))
    procedures = {p.pk: p for p in ProcedurePage.objects.filter(pk__in=procedure_ids).order_by("code")}
    since = PublishedVersion.objects.filter(page_id__in=procedure_ids).order_by("page_id", "published_at")
    if identified:
        since = since.filter(published_at__gte=identified)
    versions_by_page: dict[int, list[PublishedVersion]] = {}
    for version in since:
        versions_by_page.setdefault(version.page_id, []).append(version)
    flags_by_page: dict[int, list[ReviewFlag]] = {}
    for flag in ReviewFlag.objects.filter(regulation=page).select_related("cleared_by__staff_profile"):
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


def audience_matches(page: AcknowledgedPage, profile: StaffProfile) -> bool:
    """``audience_q`` in Python, on a page whose audience lists are prefetched (bulk reports).

    A test keeps the two in agreement."""
    if not profile.is_active:
        return False
    if page.audience_all:
        return True
    departments = {d.pk for d in page.audience_departments.all()}
    positions = {p.pk for p in page.audience_positions.all()}
    if not departments and not positions:
        return False
    return (not departments or profile.department_id in departments) and (
        not positions or profile.position_id in positions
    )


@dataclass
class AckStatus:
    pending: int = 0
    overdue: int = 0


def acknowledgement_status(people: list[StaffProfile]) -> dict[int, AckStatus]:
    """Outstanding acknowledgements per person (profile id): a fixed number of queries for any team size."""
    versions = in_force_by_page()
    pages = [
        page
        for model in ACKNOWLEDGED_TYPES
        for page in model.objects.live()
        .filter(pk__in=versions.keys())
        .prefetch_related("audience_departments", "audience_positions")
    ]
    done = set(
        Acknowledgement.objects.filter(user_id__in=[p.user_id for p in people]).values_list(
            "user_id", "page_id", "version_number"
        )
    )
    today = timezone.localdate()
    status = {}
    for person in people:
        counts = AckStatus()
        for page in pages:
            version = versions[page.pk]
            if (person.user_id, page.pk, version.number) in done or not audience_matches(page, person):
                continue
            if version.ack_due(page.ack_due_days, person.hire_date) < today:
                counts.overdue += 1
            else:
                counts.pending += 1
        status[person.pk] = counts
    return status
