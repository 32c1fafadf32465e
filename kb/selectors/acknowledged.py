"""Who must acknowledge what, and who has: the one computation behind the home page, the team page, a
supervisor's view of a page and the traceability report. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from kb.models import AcknowledgedPage, Acknowledgement, ProcedurePage, PublishedVersion, RegulationUpdatePage
from people.audience import Audience
from people.models import StaffProfile

from .versions import in_force_by_page

ACKNOWLEDGED_TYPES: tuple[type[AcknowledgedPage], ...] = (ProcedurePage, RegulationUpdatePage)

DONE, LATE, OVERDUE, PENDING = "done", "late", "overdue", "pending"


def audience_staff(page: AcknowledgedPage) -> QuerySet[StaffProfile]:
    """Active staff who must acknowledge ``page``."""
    return StaffProfile.objects.filter(Audience.of(page).staff_q()).select_related(
        "department", "position", "user"
    )


@dataclass(frozen=True)
class AckRow:
    """One person × one page's version in force: when it is due and the acknowledgement, if any."""

    person: StaffProfile
    page: AcknowledgedPage
    version: PublishedVersion | None  # None: nothing published yet
    due_date: datetime.date | None
    ack: Acknowledgement | None

    @property
    def status(self) -> str:
        """done (on time), late (done after the due date), overdue, or pending (not yet due)."""
        if self.ack is not None:
            return DONE if self.ack.on_time else LATE
        return OVERDUE if self.due_date and self.due_date < timezone.localdate() else PENDING

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def acknowledged_at(self) -> datetime.datetime | None:
        return self.ack.acknowledged_at if self.ack else None

    @property
    def kind(self) -> str:
        return self.page._meta.model_name


def acknowledgement_rows(
    people: Iterable[StaffProfile], pages: Iterable[AcknowledgedPage] | None = None
) -> list[AckRow]:
    """For each person, each live page (of ``pages``, default all) whose audience includes them and which has
    a version in force: its due date and their acknowledgement. Queries: the versions, the acknowledgements,
    and (when ``pages`` is None) per page type the pages plus one per audience list."""
    people = list(people)
    if pages is None:
        versions = in_force_by_page()
        pages = [
            page
            for model in ACKNOWLEDGED_TYPES
            for page in model.objects.live()
            .filter(pk__in=versions.keys())
            .prefetch_related(*model.audience_fields.prefetch)
        ]
    else:
        pages = list(pages)
        versions = in_force_by_page([page.pk for page in pages])
    pages = [page for page in pages if page.pk in versions]
    if not people or not pages:
        return []
    acks = {
        (a.user_id, a.page_id, a.version_number): a
        for a in Acknowledgement.objects.filter(
            user_id__in=[p.user_id for p in people], page_id__in=[page.pk for page in pages]
        )
    }
    audiences = [(page, Audience.of(page), versions[page.pk]) for page in pages]
    rows = []
    for person in people:
        for page, audience, version in audiences:
            if not audience.matches(person):
                continue
            ack = acks.get((person.user_id, page.pk, version.number))
            rows.append(
                AckRow(person, page, version, version.ack_due(page.ack_due_days, person.hire_date), ack)
            )
    return rows


def pending_acknowledgements(user, profile: StaffProfile | None) -> list[AckRow]:
    """What this person (``user``'s staff profile) must still acknowledge, soonest due first."""
    if profile is None or profile.user_id != user.pk:
        return []
    rows = [row for row in acknowledgement_rows([profile]) if row.ack is None]
    return sorted(rows, key=lambda row: (row.due_date, row.page.reference))


@dataclass
class AckStatus:
    pending: int = 0
    overdue: int = 0


def acknowledgement_status(people: list[StaffProfile]) -> dict[int, AckStatus]:
    """Outstanding acknowledgements per person (profile id): a fixed number of queries for any team size."""
    status = {person.pk: AckStatus() for person in people}
    for row in acknowledgement_rows(people):
        if row.status == OVERDUE:
            status[row.person.pk].overdue += 1
        elif row.status == PENDING:
            status[row.person.pk].pending += 1
    return status


@dataclass(frozen=True)
class TeamProgress:
    addressed: int
    waiting: list[StaffProfile]

    @property
    def done(self) -> int:
        return self.addressed - len(self.waiting)


def team_progress(page: AcknowledgedPage, team: list[StaffProfile]) -> TeamProgress:
    """Who in ``team`` must acknowledge the version in force of ``page``, and who has not yet."""
    page = type(page).objects.prefetch_related(*page.audience_fields.prefetch).get(pk=page.pk)
    rows = acknowledgement_rows(team, [page])
    return TeamProgress(addressed=len(rows), waiting=[row.person for row in rows if row.ack is None])
