"""Acknowledgements owed, read from the obligation table (assignments): the home page, the team page, a
supervisor's view of a page and the traceability report. ``acknowledged.py`` computes what is owed; this
module only reads what was stored from it. Each function runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from assignments.models import OPEN_STATUSES, Obligation, Source, Status
from assignments.selectors import latest_cycles
from kb.models import AcknowledgedPage, ProcedurePage, PublishedVersion, RegulationUpdatePage
from people.models import StaffProfile

from .acknowledged import DONE, LATE, OVERDUE, PENDING, AckStatus, TeamProgress
from .versions import in_force_by_page

KB_TARGETS = {"kb.procedure": ProcedurePage, "kb.regulation": RegulationUpdatePage}


@dataclass(frozen=True)
class OwedRow:
    """One person × one page's version owed, as stored: the same reading interface as ``AckRow``."""

    person: StaffProfile
    page: AcknowledgedPage
    version: PublishedVersion | None
    obligation: Obligation

    @property
    def due_date(self) -> datetime.date:
        return self.obligation.due_date

    @property
    def status(self) -> str:
        """done (on time), late (done after the due date), overdue, or pending (not yet due)."""
        ob = self.obligation
        if ob.status == Status.COMPLETED_ON_TIME:
            return DONE
        if ob.status == Status.COMPLETED_LATE:
            return LATE
        return OVERDUE if ob.due_date < timezone.localdate() else PENDING

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def acknowledged_at(self) -> datetime.datetime | None:
        return self.obligation.completed_at

    @property
    def kind(self) -> str:
        return self.page._meta.model_name


def _kb_obligations(people: Iterable[StaffProfile] | None, pages: Iterable[AcknowledgedPage] | None):
    """What the pages' audiences owe (a rule or a supervisor may also assign a page: those rows are the
    learner's to do, listed on their home page, but kb's reports count the page's own audience)."""
    qs = Obligation.objects.current().filter(target_key__in=KB_TARGETS.keys(), source=Source.AUDIENCE)
    if people is not None:
        qs = qs.filter(person__in=[p.pk for p in people])
    if pages is not None:
        qs = qs.filter(target_id__in=[p.pk for p in pages])
    return qs


def owed_rows(
    people: Iterable[StaffProfile] | None = None,
    pages: Iterable[AcknowledgedPage] | None = None,
    *,
    open_only: bool = False,
) -> list[OwedRow]:
    """Per person × page (of ``people`` and ``pages``; default all), the obligation for the version in
    force, ordered as ``people`` when given. Queries: the obligations with their people, the pages per type,
    the versions in force."""
    people = list(people) if people is not None else None
    pages = list(pages) if pages is not None else None
    related = ("person__department", "person__position", "person__user")
    obligations = latest_cycles(_kb_obligations(people, pages).select_related(*related))
    if open_only:
        obligations = [ob for ob in obligations if ob.status in OPEN_STATUSES]
    if not obligations:
        return []
    by_id: dict[int, AcknowledgedPage] = {p.pk: p for p in pages or []}
    for key, model in KB_TARGETS.items():
        ids = {ob.target_id for ob in obligations if ob.target_key == key and ob.target_id not in by_id}
        if ids:
            by_id.update({p.pk: p for p in model.objects.filter(pk__in=ids)})
    versions = in_force_by_page({ob.target_id for ob in obligations})
    people_by_id = {p.pk: p for p in people} if people is not None else {}
    rows = [
        OwedRow(
            person=people_by_id.get(ob.person_id, ob.person),
            page=by_id[ob.target_id],
            version=versions[ob.target_id],
            obligation=ob,
        )
        for ob in obligations
        if ob.target_id in by_id and ob.target_id in versions and versions[ob.target_id].number == ob.cycle
    ]
    if people is not None:
        order = {p.pk: i for i, p in enumerate(people)}
        rows.sort(key=lambda row: order.get(row.person.pk, 0))
    return rows


def pending_owed(user, profile: StaffProfile | None) -> list[OwedRow]:
    """What this person must still acknowledge, soonest due first."""
    if profile is None or profile.user_id != user.pk:
        return []
    rows = owed_rows([profile], open_only=True)
    return sorted(rows, key=lambda row: (row.due_date, row.page.reference))


def owed_status(people: list[StaffProfile]) -> dict[int, AckStatus]:
    """Outstanding acknowledgements per person (profile id), in one query for any team size."""
    today = timezone.localdate()
    status = {person.pk: AckStatus() for person in people}
    counts = (
        _kb_obligations(people, None)
        .filter(status__in=OPEN_STATUSES)
        .values("person_id")
        .annotate(
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            pending=Count("pk", filter=Q(due_date__gte=today)),
        )
    )
    for row in counts:
        status[row["person_id"]] = AckStatus(pending=row["pending"], overdue=row["overdue"])
    return status


def owed_team_progress(page: AcknowledgedPage, team: list[StaffProfile]) -> TeamProgress:
    """Who in ``team`` owes the newest version of ``page``, and who has not acknowledged it yet."""
    rows = owed_rows(team, [page])
    return TeamProgress(
        addressed=len(rows), waiting=[row.person for row in rows if row.obligation.status in OPEN_STATUSES]
    )
