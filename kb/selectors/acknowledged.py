"""Who must acknowledge what, by when, and who has: the one computation behind the home page, the team page,
a supervisor's view of a page, the notification texts and the traceability report. Each runs a fixed number of
queries.

The rules, each in one function (docs/kb.md, docs/regulations.md):
- ``acknowledgement_due``: the due date for one person and one version;
- ``still_owed`` (in memory) and ``still_owed_q`` (SQL, over regulation updates): whether a person in the
  audience still has to acknowledge (repealed updates and updates replaced for them ask nothing new);
- ``acknowledgement_rows``: what each person owes or has acknowledged; ``owed_acknowledgements``: what is
  still owed. Other apps (assignments) read "what is owed" through these.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from kb.models import AcknowledgedPage, Acknowledgement, ProcedurePage, PublishedVersion, RegulationUpdatePage
from people.audience import Audience, audience_includes_q
from people.models import StaffProfile

from .versions import in_force_by_page

ACKNOWLEDGED_TYPES: tuple[type[AcknowledgedPage], ...] = (ProcedurePage, RegulationUpdatePage)

DONE, LATE, OVERDUE, PENDING = "done", "late", "overdue", "pending"


def audience_staff(page: AcknowledgedPage) -> QuerySet[StaffProfile]:
    """Active staff who must acknowledge ``page``."""
    return StaffProfile.objects.filter(Audience.of(page).staff_q()).select_related(
        "department", "position", "user"
    )


def acknowledgement_due(
    page: AcknowledgedPage, version: PublishedVersion, hire_date: datetime.date | None
) -> datetime.date:
    """The one due-date rule: ``page.ack_due_days`` days after the latest of the version's effective date, the
    day it was published (local) and the person's hire date. Acknowledging on that day is on time."""
    start = max(version.effective_date, timezone.localdate(version.published_at))
    if hire_date is not None:
        start = max(start, hire_date)
    return start + datetime.timedelta(days=page.ack_due_days)


def still_owed(
    page: AcknowledgedPage,
    person: StaffProfile,
    replacement: Audience | None = None,
    today: datetime.date | None = None,
) -> bool:
    """Whether ``person``, who is in ``page``'s audience and has not acknowledged it, still has to.

    Not once a regulation update is repealed (repealed on ≤ today), nor when it was superseded and the person
    is in the audience of its replacement (``replacement``: the audience of the live update that replaced it).
    Acknowledgements already made are never affected. ``still_owed_q`` is the same rule in SQL."""
    today = today or timezone.localdate()
    repealed_on = getattr(page, "repealed_on", None)
    if repealed_on is not None and repealed_on <= today:
        return False
    return replacement is None or not replacement.matches(person)


def still_owed_q(profile: StaffProfile | None, today: datetime.date | None = None) -> Q:
    """``still_owed`` as a filter over RegulationUpdatePage, for ``profile`` (one query with the rest)."""
    today = today or timezone.localdate()
    replaced_for_me = (
        RegulationUpdatePage.objects.live()
        .filter(pk=OuterRef("superseded_by_id"))
        .filter(audience_includes_q(RegulationUpdatePage, profile))
    )
    return ~Q(repealed_on__lte=today) & ~Q(Exists(replaced_for_me))


def _replacements(pages: list[AcknowledgedPage]) -> dict[int, Audience]:
    """The audience of the live update that replaced each superseded page (one query and its prefetches,
    none when nothing is superseded)."""
    replaced_by = {
        page.pk: page.superseded_by_id for page in pages if getattr(page, "superseded_by_id", None)
    }
    if not replaced_by:
        return {}
    successors = {
        successor.pk: Audience.of(successor)
        for successor in RegulationUpdatePage.objects.live()
        .filter(pk__in=set(replaced_by.values()))
        .prefetch_related(*RegulationUpdatePage.audience_fields.prefetch)
    }
    return {pk: successors[to] for pk, to in replaced_by.items() if to in successors}


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
    """What is owed and what was done: for each person, each live page (of ``pages``, default all) with a
    version in force whose audience includes them, its due date and their acknowledgement — left out when they
    have not acknowledged it and no longer owe it (``still_owed``). Queries: the versions, the acks,
    (when ``pages`` is None) per page type the pages plus one per audience list, and the replacements of
    superseded updates, if any."""
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
    replacements = _replacements(pages)
    today = timezone.localdate()
    rows = []
    for person in people:
        for page, audience, version in audiences:
            if not audience.matches(person):
                continue
            ack = acks.get((person.user_id, page.pk, version.number))
            if ack is None and not still_owed(page, person, replacements.get(page.pk), today):
                continue
            rows.append(
                AckRow(person, page, version, acknowledgement_due(page, version, person.hire_date), ack)
            )
    return rows


def owed_acknowledgements(
    people: Iterable[StaffProfile], pages: Iterable[AcknowledgedPage] | None = None
) -> list[AckRow]:
    """What each of ``people`` still has to acknowledge (of ``pages``, default all), with its due date."""
    return [row for row in acknowledgement_rows(people, pages) if row.ack is None]


def pending_acknowledgements(user, profile: StaffProfile | None) -> list[AckRow]:
    """What this person (``user``'s staff profile) must still acknowledge, soonest due first."""
    if profile is None or profile.user_id != user.pk:
        return []
    rows = owed_acknowledgements([profile])
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
