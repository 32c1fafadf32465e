"""Writes to the obligation table. Content apps call these in the same transaction as their own records.

Everything here is idempotent: recomputing creates what is missing, withdraws what is no longer owed (keeping
the row as history) and leaves the rest alone. A unique constraint over open rows guards against doubles.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import add_months
from people.audience import Audience, audience_includes_q
from people.models import OrgPath, StaffProfile

from .models import (
    DONE_STATUSES,
    OPEN_STATUSES,
    AssignmentRule,
    Obligation,
    Source,
    Status,
)
from .registry import NotAssignable, Owed, OwedFn, TargetType, registered, target_type_for

AUDIENCE_KEY = "audience"
WITHDRAWN_LEFT_AUDIENCE = "left the audience"
WITHDRAWN_RULE_OFF = "rule switched off"
WITHDRAWN_SUPERSEDED = "superseded"
WITHDRAWN_NOT_OWED = "no longer owed"
MANUAL_NOT_IN_SUBTREE = _("You can assign training only to people who report to you (directly or not).")
MANUAL_DUE_IN_PAST = _("The due date cannot be in the past.")
REFRESHER_DAYS = 30  # a refresher without a rule is due this many days after it is opened


def _ct(obj_or_model) -> ContentType:
    return ContentType.objects.get_for_model(obj_or_model, for_concrete_model=True)


def rule_key(rule_id: int) -> str:
    return f"rule:{rule_id}"


def _withdraw(ids: Iterable[int], reason: str, now: datetime.datetime) -> int:
    ids = list(ids)
    if not ids:
        return 0
    return Obligation.objects.filter(pk__in=ids, status__in=OPEN_STATUSES).update(
        status=Status.WITHDRAWN, withdrawn_at=now, withdrawn_reason=reason
    )


def _completed_status(at: datetime.datetime, due: datetime.date, on_time: bool | None = None) -> str:
    if on_time is None:
        on_time = timezone.localdate(at) <= due
    return Status.COMPLETED_ON_TIME if on_time else Status.COMPLETED_LATE


def _open_status(due: datetime.date, today: datetime.date) -> str:
    return Status.OVERDUE if due < today else Status.NOT_STARTED


# --- Rules -----------------------------------------------------------------------------------------------


def _new_rule_obligation(
    rule: AssignmentRule, ttype: TargetType, target: Model, person_id: int, hire_date, now, cycle: int = 1
) -> Obligation:
    today = timezone.localdate(now)
    due = rule.due_for(hire_date=hire_date, assigned_on=today)
    return Obligation(
        person_id=person_id,
        target_type_id=rule.target_type_id,
        target_id=rule.target_id,
        target_key=ttype.key,
        title=ttype.title_of(target)[:255],
        cycle=cycle,
        source=Source.RULE,
        source_key=rule_key(rule.pk),
        rule=rule,
        mandatory=rule.mandatory,
        status=_open_status(due, today),
        due_date=due,
        assigned_at=now,
        recurrence_months=rule.recurrence_months,
    )


def _rule_target(rule: AssignmentRule) -> tuple[TargetType, Model] | None:
    target = rule.target
    if target is None:
        return None
    try:
        return target_type_for(target), target
    except NotAssignable:
        return None


@dataclass
class Changes:
    created: int = 0
    withdrawn: int = 0
    updated: int = 0

    def __iadd__(self, other: Changes) -> Changes:
        self.created += other.created
        self.withdrawn += other.withdrawn
        self.updated += other.updated
        return self


@transaction.atomic
def _rule_materialise(rule: AssignmentRule, now: datetime.datetime) -> Changes:
    changes = Changes()
    today = timezone.localdate(now)
    audience: dict[int, datetime.date] = {}
    if rule.is_active:
        audience = dict(
            StaffProfile.objects.filter(Audience.of(rule).staff_q()).values_list("pk", "hire_date")
        )
    current = defaultdict(list)
    for pk, person_id, status in (
        Obligation.objects.filter(rule=rule).current().values_list("pk", "person_id", "status")
    ):
        current[person_id].append((pk, status))
    reason = WITHDRAWN_LEFT_AUDIENCE if rule.is_active else WITHDRAWN_RULE_OFF
    changes.withdrawn = _withdraw(
        (pk for person_id, rows in current.items() if person_id not in audience for pk, status in rows),
        reason,
        now,
    )
    if not rule.in_window(today):
        return changes
    found = _rule_target(rule)
    if found is None:
        return changes
    ttype, target = found
    missing = [(person_id, hire) for person_id, hire in audience.items() if person_id not in current]
    if len(missing) < FAST_INSERT_FROM:
        new = [_new_rule_obligation(rule, ttype, target, pid, hire, now) for pid, hire in missing]
        Obligation.objects.bulk_create(new)
    else:
        _insert_rule_rows(rule, ttype, target, missing, now)
    changes.created = len(missing)
    return changes


FAST_INSERT_FROM = 200  # a rule reaching this many people at once is inserted without model instances


def _insert_rule_rows(rule: AssignmentRule, ttype: TargetType, target: Model, people, now) -> None:
    """The same rows as ``_new_rule_obligation``, as one executemany: building thousands of model instances
    and compiling their INSERTs costs ~20x the database's own work on SQLite (bench/assignments.py)."""
    template = _new_rule_obligation(rule, ttype, target, 0, datetime.date.min, now)
    fields = [f for f in Obligation._meta.concrete_fields if not f.primary_key]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    base = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    person_at, due_at, status_at = (
        [f.attname for f in fields].index(name) for name in ("person_id", "due_date", "status")
    )
    today = timezone.localdate(now)
    rows = []
    for person_id, hire_date in people:
        row = list(base.values())
        due = rule.due_for(hire_date=hire_date, assigned_on=today)
        row[person_at] = person_id
        row[due_at] = ops.adapt_datefield_value(due)
        row[status_at] = str(_open_status(due, today))
        rows.append(row)
    sql = (
        f"INSERT INTO {ops.quote_name(Obligation._meta.db_table)} ({columns}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rules_materialise(rule: AssignmentRule | None = None) -> Changes:
    """(Re)compute the obligations of one rule, or of every rule: idempotent."""
    now = timezone.now()
    if rule is not None:
        return _rule_materialise(rule, now)
    changes = Changes()
    for each in AssignmentRule.objects.prefetch_related(*AssignmentRule.audience_fields.prefetch):
        changes += _rule_materialise(each, now)
    return changes


def _person_rules(profile: StaffProfile, now: datetime.datetime) -> Changes:
    changes = Changes()
    today = timezone.localdate(now)
    matching = {
        rule.pk: rule
        for rule in AssignmentRule.objects.filter(
            audience_includes_q(AssignmentRule, profile), is_active=True
        )
        .select_related("target_type")
        .prefetch_related("target")
    }
    current = defaultdict(list)
    for pk, rule_id, status in (
        Obligation.objects.filter(person=profile, source=Source.RULE)
        .current()
        .values_list("pk", "rule_id", "status")
    ):
        current[rule_id].append((pk, status))
    changes.withdrawn = _withdraw(
        (pk for rule_id, rows in current.items() if rule_id not in matching for pk, _s in rows),
        WITHDRAWN_LEFT_AUDIENCE,
        now,
    )
    new = []
    for rule in matching.values():
        if rule.pk in current or not rule.in_window(today):
            continue
        found = _rule_target(rule)
        if found:
            new.append(_new_rule_obligation(rule, *found, profile.pk, profile.hire_date, now))
    Obligation.objects.bulk_create(new)
    changes.created = len(new)
    return changes


# --- Audience obligations (what content apps say is owed without a rule) ---------------------------------


def _sync_owed(owed: Iterable[Owed], existing: Iterable[Obligation], now: datetime.datetime) -> Changes:
    """Bring current audience obligations (``existing``) in line with what is ``owed``.

    Missing rows are created (completed ones as completed); open rows no longer owed are withdrawn, and open
    rows of an older cycle superseded; open rows of a LATER cycle than the app reports (a refresher or a
    renewal, ``successor_of``) are kept while the person owes the target; open rows whose due date moved are
    moved; open rows that the owing app reports completed are completed.
    """
    changes = Changes()
    today = timezone.localdate(now)
    by_key: dict[tuple[int, int, int, int], Obligation] = {}
    newest_cycle: dict[tuple[int, int, int], int] = {}
    for ob in existing:
        by_key[(ob.person_id, ob.target_type_id, ob.target_id, ob.cycle)] = ob
    wanted: dict[tuple[int, int, int, int], Owed] = {}
    types: dict[type, tuple[TargetType, ContentType]] = {}
    for row in owed:
        model = type(row.target)
        if model not in types:
            types[model] = (target_type_for(row.target), _ct(row.target))
        ct = types[model][1]
        key = (row.person.pk, ct.pk, row.target.pk, row.cycle)
        wanted[key] = row
        pt = key[:3]
        newest_cycle[pt] = max(newest_cycle.get(pt, 0), row.cycle)
    new, to_update = [], []
    for key, row in wanted.items():
        ob = by_key.get(key)
        ttype, ct = types[type(row.target)]
        if ob is None:
            status = (
                _completed_status(row.completed_at, row.due_date, row.on_time)
                if row.completed_at
                else _open_status(row.due_date, today)
            )
            new.append(
                Obligation(
                    person_id=row.person.pk,
                    target_type_id=ct.pk,
                    target_id=row.target.pk,
                    target_key=ttype.key,
                    title=ttype.title_of(row.target)[:255],
                    cycle=row.cycle,
                    source=Source.AUDIENCE,
                    source_key=AUDIENCE_KEY,
                    status=status,
                    due_date=row.due_date,
                    assigned_at=now,
                    completed_at=row.completed_at,
                    record_id=row.record_id,
                )
            )
        elif row.completed_at:  # the owing app's evidence is the truth: completed, by its due date
            status = _completed_status(row.completed_at, row.due_date, row.on_time)
            if (ob.status, ob.due_date, ob.completed_at, ob.record_id) != (
                status,
                row.due_date,
                row.completed_at,
                row.record_id,
            ) and ob.status != Status.EXPIRED:
                ob.status, ob.due_date = status, row.due_date
                ob.completed_at, ob.record_id = row.completed_at, row.record_id
                to_update.append(ob)
        elif ob.status in OPEN_STATUSES and ob.due_date != row.due_date:
            ob.due_date = row.due_date
            if ob.status != Status.IN_PROGRESS:
                ob.status = _open_status(row.due_date, today)
            to_update.append(ob)
    superseded, gone = [], []
    for key, ob in by_key.items():
        if key in wanted or ob.status not in OPEN_STATUSES:
            continue
        newest = newest_cycle.get(key[:3])
        if newest is None:  # the person owes the target no more
            gone.append(ob.pk)
        elif newest > ob.cycle:
            superseded.append(ob.pk)
        # else a later cycle than the app counts: a refresher or a renewal opened here (successor_of), owed
        # while the person owes the target (courses report cycle 1 with the first completion, always)
    Obligation.objects.bulk_create(new, batch_size=1000)
    Obligation.objects.bulk_update(
        to_update, ["status", "due_date", "completed_at", "record"], batch_size=500
    )
    changes.created, changes.updated = len(new), len(to_update)
    changes.withdrawn = _withdraw(superseded, WITHDRAWN_SUPERSEDED, now) + _withdraw(
        gone, WITHDRAWN_NOT_OWED, now
    )
    return changes


def _audience_existing(**filters) -> Iterable[Obligation]:
    return Obligation.objects.filter(source=Source.AUDIENCE, **filters).current()


@transaction.atomic
def target_materialise(target: Model) -> Changes:
    """A target's content changed (kb: a version was published): sync who owes it through its audience."""
    ttype = target_type_for(target)
    if ttype.owed is None:
        return Changes()
    existing = _audience_existing(target_type=_ct(target), target_id=target.pk)
    return _sync_owed(ttype.owed(None, [target]), existing, timezone.now())


def _owing_groups() -> list[tuple[OwedFn, list[int]]]:
    """Registered ``owed`` computations, each once, with the content types it answers for (kb gives one
    computation for procedures and regulation updates)."""
    groups: dict[OwedFn, list[int]] = {}
    for ttype in registered():
        if ttype.owed is not None:
            groups.setdefault(ttype.owed, []).append(_ct(ttype.model).pk)
    return list(groups.items())


@transaction.atomic
def audience_materialise() -> Changes:
    """Every registered type's audience obligations, all people: the migration and the daily run."""
    now = timezone.now()
    changes = Changes()
    for owed, ct_ids in _owing_groups():
        existing = _audience_existing(target_type_id__in=ct_ids)
        changes += _sync_owed(owed(None, None), existing, now)
    return changes


@transaction.atomic
def person_changed(profile: StaffProfile) -> Changes:
    """A person was hired or changed department, position, supervisor or active flag: withdraw and create
    their obligations now."""
    now = timezone.now()
    profile = StaffProfile.objects.get(pk=profile.pk)  # as stored: callers may hold a stale copy
    changes = _person_rules(profile, now)
    for owed, ct_ids in _owing_groups():
        existing = _audience_existing(person=profile, target_type_id__in=ct_ids)
        changes += _sync_owed(owed([profile], None), existing, now)
    return changes


# --- Events reported by the content apps -------------------------------------------------------------------


def _open_for(user, target: Model, cycle: int | None = None):
    qs = (
        Obligation.objects.for_target(target)
        .filter(person__user=user, status__in=OPEN_STATUSES)
        .select_for_update()
    )
    if cycle is None:
        return qs
    return qs.filter(
        Q(cycle=cycle) | ~Q(source=Source.AUDIENCE)
    )  # rules' cycles are recurrences, not versions


@transaction.atomic
def obligation_progress(*, user, target: Model, done: int, total: int, at=None) -> None:
    """The person has started / progressed on the target: open obligations go to in progress."""
    at = at or timezone.now()
    done, total = max(0, int(done)), max(0, int(total))
    for ob in _open_for(user, target):
        ob.started_at = ob.started_at or at
        ob.progress_done, ob.progress_total = min(done, total) if total else done, total
        if ob.status == Status.NOT_STARTED:
            ob.status = Status.IN_PROGRESS
        ob.save(update_fields=["started_at", "progress_done", "progress_total", "status"])


def _validity(ob: Obligation, target: Model, at: datetime.datetime) -> datetime.date | None:
    months = ob.recurrence_months
    if months is None:
        try:
            ttype = target_type_for(target)
        except NotAssignable:
            return None
        months = ttype.validity_months(target) if ttype.validity_months else None
    return add_months(timezone.localdate(at), months) if months else None


@transaction.atomic
def obligation_fulfil(
    *,
    user,
    target: Model,
    at: datetime.datetime,
    record=None,
    score=None,
    valid_until=None,
    cycle: int | None = None,
    on_time: bool | None = None,
) -> list[Obligation]:
    """The person completed/acknowledged the target at ``at`` (``record`` proves it): open obligations for
    (user, target) become completed on time or late (on time when at <= due, unless the evidence says
    ``on_time``). ``cycle`` limits it to one cycle (kb: the version acknowledged)."""
    done = []
    for ob in _open_for(user, target, cycle):
        ob.status = _completed_status(at, ob.due_date, on_time)
        ob.completed_at = at
        ob.record = record
        ob.score = score
        ob.valid_until = valid_until or _validity(ob, target, at)
        ob.progress_done = ob.progress_total
        ob.save(update_fields=["status", "completed_at", "record", "score", "valid_until", "progress_done"])
        done.append(ob)
    return done


def successor_of(ob: Obligation, *, due: datetime.date, now: datetime.datetime) -> Obligation:
    today = timezone.localdate(now)
    return Obligation(
        person_id=ob.person_id,
        target_type_id=ob.target_type_id,
        target_id=ob.target_id,
        target_key=ob.target_key,
        title=ob.title,
        cycle=ob.cycle + 1,
        source=ob.source,
        source_key=ob.source_key,
        rule_id=ob.rule_id,
        assigned_by_id=ob.assigned_by_id,
        mandatory=ob.mandatory,
        status=_open_status(due, today),
        due_date=due,
        assigned_at=now,
        recurrence_months=ob.recurrence_months,
    )


def _latest_per_chain(qs) -> list[Obligation]:
    """The newest cycle per (person, target, source) among ``qs``."""
    latest: dict[tuple, Obligation] = {}
    for ob in qs.order_by("cycle"):
        latest[(ob.person_id, ob.target_type_id, ob.target_id, ob.source_key)] = ob
    return list(latest.values())


@transaction.atomic
def obligations_reopen(*, target: Model, completed_before: datetime.datetime, reason: str) -> int:
    """Refresher required: everyone whose completion of ``target`` predates ``completed_before`` owes it
    again (a new obligation; the old one and its record stay in history). Returns how many."""
    now = timezone.now()
    chains = _latest_per_chain(Obligation.objects.for_target(target).current())
    stale = [ob for ob in chains if ob.status in DONE_STATUSES and ob.completed_at < completed_before]
    due = timezone.localdate(now) + datetime.timedelta(days=REFRESHER_DAYS)
    new = [successor_of(ob, due=due, now=now) for ob in stale]
    Obligation.objects.filter(pk__in=[ob.pk for ob in stale]).update(
        status=Status.EXPIRED, withdrawn_reason=reason[:200]
    )
    Obligation.objects.bulk_create(new)
    return len(new)


# --- Manual assignment -----------------------------------------------------------------------------------


def can_assign_to(user, person: StaffProfile) -> bool:
    """Only a supervisor of ``person`` (at any depth) assigns to them by hand."""
    return OrgPath.objects.filter(ancestor__user=user, descendant=person, depth__gte=1).exists()


@transaction.atomic
def obligation_assign(*, by_user, person: StaffProfile, target: Model, due_date: datetime.date) -> Obligation:
    """A supervisor assigns ``target`` to someone in their subtree by ``due_date``; idempotent while open."""
    if not can_assign_to(by_user, person):
        raise PermissionDenied(MANUAL_NOT_IN_SUBTREE)
    now = timezone.now()
    if due_date < timezone.localdate(now):
        raise ValueError(MANUAL_DUE_IN_PAST)
    ttype = target_type_for(target)
    key = f"manual:{by_user.pk}"
    chain = Obligation.objects.for_target(target).filter(person=person, source_key=key).current()
    last = chain.order_by("-cycle").first()
    if last is not None and last.status in OPEN_STATUSES:
        return last
    return Obligation.objects.create(
        person=person,
        target_type=_ct(target),
        target_id=target.pk,
        target_key=ttype.key,
        title=ttype.title_of(target)[:255],
        cycle=last.cycle + 1 if last else 1,
        source=Source.MANUAL,
        source_key=key,
        assigned_by=by_user,
        status=_open_status(due_date, timezone.localdate(now)),
        due_date=due_date,
        assigned_at=now,
    )
