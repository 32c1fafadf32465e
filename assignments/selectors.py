"""Reads of the obligation table. Each runs a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from people.models import StaffProfile

from .models import DONE_STATUSES, OPEN_STATUSES, Obligation, Status
from .registry import ACKNOWLEDGEMENT, NotAssignable, registered, target_type_by_key


def latest_cycles(obligations: Iterable[Obligation]) -> list[Obligation]:
    """Keep the newest cycle per person × target × source (older cycles are history)."""
    latest: dict[tuple, Obligation] = {}
    for ob in obligations:
        key = (ob.person_id, ob.target_type_id, ob.target_id, ob.source_key)
        if key not in latest or latest[key].cycle < ob.cycle:
            latest[key] = ob
    return sorted(latest.values(), key=lambda ob: (ob.due_date, ob.pk))


def obligations_of(profile: StaffProfile) -> QuerySet[Obligation]:
    """A person's current obligations (not withdrawn), soonest due first."""
    return Obligation.objects.current().filter(person=profile).order_by("due_date", "pk")


@dataclass(frozen=True)
class WorkItem:
    """One thing a person owes, ready to list: what, where to do it, by when, how far along."""

    obligation: Obligation
    label: str
    kind: str
    url: str

    @property
    def title(self) -> str:
        return self.obligation.title

    @property
    def due_date(self) -> datetime.date:
        return self.obligation.due_date

    @property
    def overdue(self) -> bool:
        return self.obligation.due_date < timezone.localdate()

    @property
    def days_left(self) -> int:
        return (self.obligation.due_date - timezone.localdate()).days

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)

    @property
    def progress(self) -> int:
        return self.obligation.progress_percent


@dataclass
class MyWork:
    """The learner's home, in order of urgency."""

    overdue: list[WorkItem] = field(default_factory=list)
    due_soon: list[WorkItem] = field(default_factory=list)
    acknowledgements: list[WorkItem] = field(default_factory=list)
    in_progress: list[WorkItem] = field(default_factory=list)
    upcoming: list[WorkItem] = field(default_factory=list)
    recent: list[Obligation] = field(default_factory=list)
    done_count: int = 0
    total_count: int = 0

    @property
    def open_count(self) -> int:
        return (
            len(self.overdue)
            + len(self.due_soon)
            + len(self.acknowledgements)
            + len(self.in_progress)
            + len(self.upcoming)
        )

    @property
    def done_percent(self) -> int:
        return round(100 * self.done_count / self.total_count) if self.total_count else 100


def _work_item(ob: Obligation) -> WorkItem:
    try:
        ttype = target_type_by_key(ob.target_key)
    except NotAssignable:
        return WorkItem(ob, ob.target_key, "training", "")
    target = ob.target
    return WorkItem(ob, str(ttype.label), ttype.kind, ttype.url(target) if target is not None else "")


SOON_DAYS = 14


def my_work(profile: StaffProfile, *, recent: int = 5) -> MyWork:
    """What ``profile`` owes, bucketed by urgency, with progress and recent results. Queries: the open
    obligations, their targets (one per content type), the counts, the recent completions."""
    today = timezone.localdate()
    work = MyWork()
    seen: set[tuple[int, int]] = set()
    open_rows = (
        Obligation.objects.filter(person=profile, status__in=OPEN_STATUSES)
        .prefetch_related("target")
        .order_by("due_date", "pk")
    )
    for ob in open_rows:
        if (ob.target_type_id, ob.target_id) in seen:  # owed twice (two rules): the earliest due counts
            continue
        seen.add((ob.target_type_id, ob.target_id))
        item = _work_item(ob)
        if ob.due_date < today:
            work.overdue.append(item)
        elif item.kind == ACKNOWLEDGEMENT:
            work.acknowledgements.append(item)
        elif (ob.due_date - today).days <= SOON_DAYS:
            work.due_soon.append(item)
        elif ob.status == Status.IN_PROGRESS:
            work.in_progress.append(item)
        else:
            work.upcoming.append(item)
    totals = Obligation.objects.filter(person=profile).aggregate(
        done=Count("pk", filter=Q(status__in=DONE_STATUSES)),
        total=Count("pk", filter=~Q(status=Status.WITHDRAWN)),
    )
    work.done_count, work.total_count = totals["done"], totals["total"]
    acknowledgements = [t.key for t in registered() if t.kind == ACKNOWLEDGEMENT]
    work.recent = list(  # results of training (acknowledgements have no result to show)
        Obligation.objects.filter(
            person=profile, status__in=(Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE)
        )
        .exclude(target_key__in=acknowledgements)
        .order_by("-completed_at", "-pk")[:recent]
    )
    return work
