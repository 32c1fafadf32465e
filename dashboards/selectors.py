"""Reads for the team dashboard, the person timeline and the appraisal summaries.

Every count of what people owe and did reads the obligation table (``assignments.Obligation``), whose status
the apps keep current on each event; nothing here recomputes duties from pages or audiences. Scores come
from graded quiz attempts. Each function runs a fixed number of queries whatever the team's size
(tests/dashboards/test_team.py counts them). The counting rules are in docs/appraisal.md.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from assignments.models import Obligation, SentReminder, Status
from assignments.registry import ACKNOWLEDGEMENT, registered
from core.params import parse_int
from dashboards.periods import Period
from ledger.models import Record
from people.models import StaffProfile
from quizzes.models import Attempt, AttemptSlot, AttemptState

# The agreed keys of acknowledgement targets (ASSIGNMENTS-API.md), whether or not kb has registered yet.
ACKNOWLEDGEMENT_KEYS = frozenset({"kb.procedure", "kb.regulation"})
DONE = (Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE, Status.EXPIRED)
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)


def acknowledgement_keys() -> frozenset[str]:
    return ACKNOWLEDGEMENT_KEYS | {t.key for t in registered() if t.kind == ACKNOWLEDGEMENT}


def obligations_of(people: QuerySet[StaffProfile]) -> QuerySet[Obligation]:
    """Current (not withdrawn) obligations of ``people``, as a subquery: no list of ids travels."""
    return Obligation.objects.current().filter(person__in=people.order_by().values("pk"))


# --- Appraisal -----------------------------------------------------------------------------------------


@dataclass
class Appraisal:
    """One person's (or one department's) figures for a period; see docs/appraisal.md for each rule."""

    assigned: int = 0
    completed: int = 0
    on_time: int = 0
    overdue: int = 0
    acks_due: int = 0
    acks_done: int = 0
    attempts: int = 0
    score_sum: Decimal = Decimal(0)
    best_score: Decimal | None = None
    training_minutes: int = 0
    people: int = 1

    @property
    def late(self) -> int:
        return self.completed - self.on_time

    @property
    def completion_rate(self) -> float | None:
        return round(self.completed / self.assigned, 4) if self.assigned else None

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time / self.assigned, 4) if self.assigned else None

    @property
    def average_score(self) -> float | None:
        return round(float(self.score_sum / self.attempts), 2) if self.attempts else None

    @property
    def training_hours(self) -> float:
        return round(self.training_minutes / 60, 2)

    def add(self, other: Appraisal) -> None:
        for name in ("assigned", "completed", "on_time", "overdue", "acks_due", "acks_done", "attempts"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.score_sum += other.score_sum
        self.training_minutes += other.training_minutes
        self.people += other.people
        if other.best_score is not None and (self.best_score is None or other.best_score > self.best_score):
            self.best_score = other.best_score


def appraisal_by_person(
    people: QuerySet[StaffProfile], period: Period, *, now: datetime.datetime | None = None
) -> dict[int, Appraisal]:
    """Each person's figures for ``period``, keyed by profile id, in three queries plus one per kind of
    training target (for its hours). People without any activity are absent: use ``Appraisal()``."""
    close = period.closes_at(now)
    done = Q(completed_at__isnull=False, completed_at__lt=close)
    acks = Q(target_key__in=acknowledgement_keys())
    due = obligations_of(people).filter(due_date__gte=period.start, due_date__lte=period.end)
    rows = due.values("person_id").annotate(
        assigned=Count("pk"),
        completed=Count("pk", filter=done),
        on_time=Count("pk", filter=done & Q(completed_at__date__lte=F("due_date"))),
        overdue=Count("pk", filter=~done & Q(due_date__lt=timezone.localdate(close))),
        acks_due=Count("pk", filter=acks),
        acks_done=Count("pk", filter=acks & done),
    )
    result: dict[int, Appraisal] = defaultdict(Appraisal)
    for row in rows.order_by():
        person = result[row.pop("person_id")]
        for name, value in row.items():
            setattr(person, name, value)

    user_to_person = dict(people.order_by().values_list("user_id", "pk"))
    attempts = (
        Attempt.objects.filter(
            user__in=people.order_by().values("user_id"),
            state=AttemptState.GRADED,
            graded_at__gte=period.starts_at(),
            graded_at__lt=close,
        )
        .values("user_id")
        .annotate(n=Count("pk"), total=Sum("score"), best=Max("score"))
        .order_by()
    )
    for row in attempts:
        person = result[user_to_person[row["user_id"]]]
        person.attempts, person.score_sum, person.best_score = (
            row["n"],
            row["total"] or Decimal(0),
            row["best"],
        )

    for person_id, minutes in _training_minutes(people, period, close).items():
        result[person_id].training_minutes = minutes
    return dict(result)


def _training_minutes(
    people: QuerySet[StaffProfile], period: Period, close: datetime.datetime
) -> dict[int, int]:
    """Minutes of training completed in the period: each completed target's ``estimated_minutes``."""
    completed = (
        obligations_of(people)
        .filter(completed_at__gte=period.starts_at(), completed_at__lt=close)
        .exclude(target_key__in=acknowledgement_keys())
        .values("person_id", "target_type_id", "target_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_type: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in completed:
        by_type[row["target_type_id"]].append((row["person_id"], row["target_id"]))
    minutes: dict[int, int] = defaultdict(int)
    for type_id, pairs in by_type.items():
        model = _model_of(type_id)
        if model is None or not any(f.name == "estimated_minutes" for f in model._meta.get_fields()):
            continue
        per_target = dict(
            model._default_manager.filter(pk__in={t for _p, t in pairs}).values_list(
                "pk", "estimated_minutes"
            )
        )
        for person_id, target_id in pairs:
            minutes[person_id] += per_target.get(target_id) or 0
    return minutes


def _model_of(content_type_id: int):
    ct = ContentType.objects.get_for_id(content_type_id)  # cached after the first use
    return apps.get_model(ct.app_label, ct.model) if ct.model_class() else None


# --- The team matrix -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A required item: one target (a column of the matrix)."""

    type_id: int
    target_id: int
    title: str
    key: str
    owed: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def ref(self) -> str:
        return f"{self.type_id}-{self.target_id}"

    @property
    def rate(self) -> float | None:
        return self.done / self.owed if self.owed else None


def parse_item(ref: str) -> tuple[int, int] | None:
    """``"12-345"`` → (12, 345); anything else → None."""
    type_id, sep, target_id = (ref or "").partition("-")
    if sep and len(ref) < 24 and parse_int(type_id) and parse_int(target_id):
        return int(type_id), int(target_id)
    return None


@dataclass
class Filters:
    department: int | None = None
    item: tuple[int, int] | None = None
    status: str = ""
    period: Period | None = None  # due in this period

    def apply(self, obligations: QuerySet[Obligation]) -> QuerySet[Obligation]:
        if self.item:
            obligations = obligations.filter(target_type_id=self.item[0], target_id=self.item[1])
        if self.status:
            obligations = obligations.filter(status=self.status)
        if self.period:
            obligations = obligations.filter(due_date__gte=self.period.start, due_date__lte=self.period.end)
        return obligations

    def people(self, people: QuerySet[StaffProfile]) -> QuerySet[StaffProfile]:
        if self.department:
            people = people.filter(department_id=self.department)
        return people


def team_items(obligations: QuerySet[Obligation]) -> list[Item]:
    """The targets owed by the filtered team, most owed first, with their totals (one query)."""
    rows = (
        obligations.values("target_type_id", "target_id")
        .annotate(
            title=Max("title"),
            key=Max("target_key"),
            owed=Count("pk"),
            done=Count("pk", filter=Q(status__in=DONE)),
            overdue=Count("pk", filter=Q(status=Status.OVERDUE)),
        )
        .order_by("-owed", "title")
    )
    return [
        Item(r["target_type_id"], r["target_id"], r["title"], r["key"], r["owed"], r["done"], r["overdue"])
        for r in rows
    ]


def annotate_progress(
    people: QuerySet[StaffProfile], obligations: QuerySet[Obligation]
) -> QuerySet[StaffProfile]:
    """Each person with ``owed``, ``done``, ``overdue_count`` over ``obligations`` (sorting, totals)."""

    def count(extra: Q | None = None):
        qs = obligations.filter(person=OuterRef("pk"))
        if extra is not None:
            qs = qs.filter(extra)
        sub = qs.order_by().values("person").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(sub, output_field=IntegerField()), 0)

    return people.annotate(
        owed=count(), done=count(Q(status__in=DONE)), overdue_count=count(Q(status=Status.OVERDUE))
    )


@dataclass(frozen=True)
class Cell:
    """One (person, item) square of the matrix: the latest cycle's status and dates."""

    status: str
    due_date: datetime.date | None
    completed_at: datetime.datetime | None


def matrix_cells(
    people: list[StaffProfile], items: list[Item], obligations: QuerySet[Obligation]
) -> dict[tuple[int, str], Cell]:
    """The latest cycle of each (person, item) among ``obligations``, keyed by (person id, item ref).

    One query by person (the person index); the items are picked here: an OR of targets would make SQLite
    walk every obligation of those targets bank-wide. Rows come as tuples (a page has a thousand or more).
    """
    if not people or not items:
        return {}
    wanted = {item.ref for item in items}
    rows = (
        obligations.filter(person_id__in=[p.pk for p in people])
        .order_by("cycle")
        .values_list("person_id", "target_type_id", "target_id", "status", "due_date", "completed_at")
    )
    cells = {}
    for person_id, type_id, target_id, status, due_date, completed_at in rows:
        ref = f"{type_id}-{target_id}"
        if ref in wanted:
            cells[(person_id, ref)] = Cell(status, due_date, completed_at)
    return cells


# --- Charts --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatePoint:
    label: str
    owed: int
    done: int

    @property
    def rate(self) -> float | None:
        return self.done / self.owed if self.owed else None


def completion_by_month(
    obligations: QuerySet[Obligation], months: list[Period], *, now: datetime.datetime | None = None
) -> list[RatePoint]:
    """For each month: obligations due in it, and how many were completed by its close (one query)."""
    aggregates = {}
    for n, month in enumerate(months):
        in_month = Q(due_date__gte=month.start, due_date__lte=month.end)
        aggregates[f"owed{n}"] = Count("pk", filter=in_month)
        aggregates[f"done{n}"] = Count(
            "pk", filter=in_month & Q(completed_at__isnull=False, completed_at__lt=month.closes_at(now))
        )
    if not months:
        return []
    row = obligations.filter(due_date__gte=months[0].start, due_date__lte=months[-1].end).aggregate(
        **aggregates
    )
    return [RatePoint(m.value, row[f"owed{n}"], row[f"done{n}"]) for n, m in enumerate(months)]


def completion_by_department(
    obligations: QuerySet[Obligation], period: Period, *, now: datetime.datetime | None = None
) -> list[RatePoint]:
    """Per department: obligations due in ``period`` and completed by its close (one query)."""
    close = period.closes_at(now)
    rows = (
        obligations.filter(due_date__gte=period.start, due_date__lte=period.end)
        .values("person__department__name")
        .annotate(
            owed=Count("pk"), done=Count("pk", filter=Q(completed_at__isnull=False, completed_at__lt=close))
        )
        .order_by("person__department__name")
    )
    return [RatePoint(r["person__department__name"], r["owed"], r["done"]) for r in rows]


# --- The person timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    at: datetime.datetime | datetime.date
    kind: str  # assigned, due, completed, attempt, record, reminder, withdrawn
    title: str
    detail: str = ""
    score: Decimal | None = None
    status: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def sort_key(self) -> datetime.datetime:
        if isinstance(self.at, datetime.datetime):
            return self.at
        return timezone.make_aware(datetime.datetime.combine(self.at, datetime.time.max))


def person_timeline(person: StaffProfile, *, limit: int = 400) -> list[Event]:
    """Everything that happened to ``person``'s duties, newest first, in four queries."""
    events: list[Event] = []
    obligations = list(
        Obligation.objects.filter(person=person)
        .only(
            "title",
            "status",
            "assigned_at",
            "due_date",
            "completed_at",
            "withdrawn_at",
            "score",
            "source",
            "cycle",
        )
        .order_by("-assigned_at")[:limit]
    )
    for ob in obligations:
        events.append(
            Event(
                ob.assigned_at,
                "assigned",
                ob.title,
                ob.get_source_display(),
                status=ob.status,
                extra={"due": ob.due_date},
            )
        )
        if ob.completed_at:
            events.append(
                Event(
                    ob.completed_at,
                    "completed",
                    ob.title,
                    score=ob.score,
                    status=ob.status,
                    extra={"due": ob.due_date},
                )
            )
        if ob.withdrawn_at:
            events.append(Event(ob.withdrawn_at, "withdrawn", ob.title, status=ob.status))
    for attempt in (
        Attempt.objects.filter(user_id=person.user_id)
        .exclude(state=AttemptState.IN_PROGRESS)
        .select_related("quiz")
        .only("quiz__title", "number", "score", "passed", "submitted_at", "graded_at", "started_at", "state")
        .order_by("-started_at")[:limit]
    ):
        events.append(
            Event(
                attempt.graded_at or attempt.submitted_at or attempt.started_at,
                "attempt",
                attempt.quiz.title,
                score=attempt.score,
                status="passed" if attempt.passed else "failed",
                extra={"number": attempt.number},
            )
        )
    for record in (
        Record.objects.filter(actor_user_id=person.user_id, kind__in=["acknowledgement", "completion"])
        .only("kind", "title", "occurred_at", "outcome", "score", "seq")
        .order_by("-seq")[:limit]
    ):
        events.append(
            Event(
                record.occurred_at,
                "record",
                record.title,
                record.get_kind_display(),
                score=record.score,
                status=record.outcome,
                extra={"seq": record.seq},
            )
        )
    for reminder in (
        SentReminder.objects.filter(obligation__person=person)
        .select_related("obligation")
        .only("kind", "sent_at", "due_date", "obligation__title")
        .order_by("-sent_at")[:limit]
    ):
        events.append(
            Event(
                reminder.sent_at,
                "reminder",
                reminder.obligation.title,
                reminder.get_kind_display(),
                extra={"due": reminder.due_date},
            )
        )
    events.sort(key=lambda e: e.sort_key, reverse=True)
    return events[:limit]


# --- Weak understanding ----------------------------------------------------------------------------------

UNDERSTANDING_GROUPS = {
    "step": ("version__question__tested_page_id", "version__question__tests_step"),
    "procedure": ("version__question__tested_page_id",),
    "area": ("version__question__duty_area",),
}


@dataclass(frozen=True)
class Understanding:
    page_id: int | None
    step: str
    duty_area: int | None
    answers: int
    correct: int
    people: int

    @property
    def rate(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


def first_attempt_understanding(
    people: QuerySet[StaffProfile], *, by: str = "step", minimum: int = 3
) -> list[Understanding]:
    """Per procedure step, procedure or duty area (``by``): how many answers ``people`` got fully right at
    their first attempt of a quiz, on the questions that test it; weakest first; groups with fewer than
    ``minimum`` answers are left out (too few to mean anything). One query."""
    fields = UNDERSTANDING_GROUPS[by]
    rows = (
        AttemptSlot.objects.filter(
            attempt__user__in=people.order_by().values("user_id"),
            attempt__number=1,
            attempt__state=AttemptState.GRADED,
            fraction__isnull=False,
        )
        .exclude(**{f"{fields[0]}__isnull": True})
        .values(*fields)
        .annotate(
            answers=Count("pk"),
            correct=Count("pk", filter=Q(fraction__gte=1)),
            people=Count("attempt__user_id", distinct=True),
        )
        .filter(answers__gte=minimum)
        .order_by()
    )
    result = [
        Understanding(
            r.get("version__question__tested_page_id"),
            r.get("version__question__tests_step") or "",
            r.get("version__question__duty_area"),
            r["answers"],
            r["correct"],
            r["people"],
        )
        for r in rows
    ]
    return sorted(result, key=lambda u: (u.rate, -u.answers))
