"""Assignments benchmark: materialising a rule for 5,000 people, and one person's department change that
withdraws 20 obligations and creates 20, each against a naive per-person baseline in the same run.

    .venv/bin/python bench/assignments.py                 # 5,000 people, 3 repeats
    .venv/bin/python bench/assignments.py -n 2000 --repeat 5

A fresh SQLite database in a temporary folder (migrated), a generated bank (20 departments, 5 positions),
and a stand-in training type registered for the run. Measured:

1. ``rules_materialise(rule)`` for an everyone-rule (5,000 obligations created), against a naive loop that
   checks and inserts person by person (``Audience.matches``, an exists query, an insert each).
2. ``person.save()`` moving someone between two departments that each have 20 rules (the people signal runs
   ``person_changed``: 20 withdrawn, 20 created), against a naive loop over every rule (its audience read,
   an exists query and a write per rule).
Medians of ``--repeat`` runs; the machine is small and shared, so the ratio matters more than the times.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate_bank(n: int):
    from django.contrib.auth import get_user_model

    from people.models import Department, Position, StaffProfile

    departments = Department.objects.bulk_create(
        [Department(code=f"B{i:02d}", name=f"客戶服務第{i}組") for i in range(20)]
    )
    positions = Position.objects.bulk_create([Position(code=f"BP{i}", name=f"職級{i}") for i in range(5)])
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench{i:05d}", email=f"bench{i:05d}@bank.example") for i in range(n)],
        batch_size=2000,
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=user,
                employee_number=f"B{i:06d}",
                display_name=f"員工{i}",
                department=departments[i % 20],
                position=positions[i % 5],
                hire_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=i % 1500),
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    return departments, positions


def register_course_type():
    from assignments.registry import TRAINING, TargetType, register
    from people.models import Position

    register(TargetType(key="bench.course", model=Position, label="Course", kind=TRAINING, url=lambda o: "/"))


def make_rule(name: str, target, **fields):
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_save

    from assignments.models import AssignmentRule
    from assignments.signal_handlers import on_rule_saved

    post_save.disconnect(sender=AssignmentRule, dispatch_uid="assignments_rule_saved")  # the bench materialises
    try:
        return AssignmentRule.objects.create(
            name=name, target_type=ContentType.objects.get_for_model(target), target_id=target.pk, **fields
        )
    finally:
        post_save.connect(on_rule_saved, sender=AssignmentRule, dispatch_uid="assignments_rule_saved")


def naive_rule_materialise(rule) -> int:
    """The baseline: every person checked and written one by one."""
    from django.db import transaction
    from django.utils import timezone

    from assignments.models import Obligation, Source
    from people.audience import Audience
    from people.models import StaffProfile

    audience = Audience.of(rule)
    now, created = timezone.now(), 0
    with transaction.atomic():
        for person in StaffProfile.objects.all():
            if not audience.matches(person):
                continue
            key = f"naive:{rule.pk}"
            if Obligation.objects.filter(person=person, rule=rule, source_key=key).exists():
                continue
            Obligation.objects.create(
                person=person,
                target_type_id=rule.target_type_id,
                target_id=rule.target_id,
                target_key="bench.course",
                title=rule.name,
                source=Source.RULE,
                source_key=key,
                rule=rule,
                due_date=rule.due_for(hire_date=person.hire_date, assigned_on=timezone.localdate()),
                assigned_at=now,
            )
            created += 1
    return created


def naive_person_changed(person, rules) -> tuple[int, int]:
    """The baseline: every rule's audience read and checked, then one query and one write per rule."""
    from django.db import transaction
    from django.utils import timezone

    from assignments.models import OPEN_STATUSES, Obligation, Source, Status
    from people.audience import Audience

    now, created, withdrawn = timezone.now(), 0, 0
    with transaction.atomic():
        for rule in rules:
            inside = Audience.of(rule).matches(person)
            existing = Obligation.objects.filter(person=person, rule=rule).current().first()
            if inside and existing is None:
                Obligation.objects.create(
                    person=person,
                    target_type_id=rule.target_type_id,
                    target_id=rule.target_id,
                    target_key="bench.course",
                    title=rule.name,
                    source=Source.RULE,
                    source_key=f"rule:{rule.pk}",
                    rule=rule,
                    due_date=rule.due_for(hire_date=person.hire_date, assigned_on=timezone.localdate()),
                    assigned_at=now,
                )
                created += 1
            elif not inside and existing is not None and existing.status in OPEN_STATUSES:
                existing.status, existing.withdrawn_at = Status.WITHDRAWN, now
                existing.save(update_fields=["status", "withdrawn_at"])
                withdrawn += 1
    return created, withdrawn


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=5000, help="people in the generated bank")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="servewell-assign-bench-"))
    setup(workdir)

    from assignments.models import Obligation, Status
    from assignments.services import rules_materialise
    from people.models import Position, StaffProfile

    departments, _positions = generate_bank(args.n)
    register_course_type()
    courses = [
        Position.objects.create(code=f"COURSE{i}", name=f"培訓課程{i}") for i in range(40 + 2 * args.repeat)
    ]

    ours, naive = [], []
    for r in range(args.repeat):
        rule = make_rule(f"全體員工 {r}", courses[r], audience_all=True)
        seconds, changes = timed(rules_materialise, rule)
        assert changes.created == args.n, changes
        ours.append(seconds)
        rule = make_rule(f"全體員工（基線）{r}", courses[args.repeat + r], audience_all=True)
        seconds, created = timed(naive_rule_materialise, rule)
        assert created == args.n, created
        naive.append(seconds)

    first, second = departments[0], departments[1]
    rules_a, rules_b = [], []
    base = 2 * args.repeat
    for i in range(20):
        rule_a = make_rule(f"一組規則{i}", courses[base + i])
        rule_a.audience_departments.set([first])
        rule_b = make_rule(f"二組規則{i}", courses[base + 20 + i])
        rule_b.audience_departments.set([second])
        rules_materialise(rule_a)
        rules_materialise(rule_b)
        rules_a.append(rule_a)
        rules_b.append(rule_b)
    movers = list(StaffProfile.objects.filter(department=first)[: 2 * args.repeat])
    move_ours, move_naive = [], []
    for r in range(args.repeat):
        person = movers[2 * r]
        person.department = second
        seconds, _ = timed(person.save)  # the people signal → person_changed
        assert Obligation.objects.filter(person=person, status=Status.WITHDRAWN).count() == 20
        assert Obligation.objects.filter(person=person, rule__in=rules_b).count() == 20
        move_ours.append(seconds)
        person = movers[2 * r + 1]
        type(person).objects.filter(pk=person.pk).update(department=second)  # no signal: the baseline's turn
        person.refresh_from_db()
        seconds, (created, withdrawn) = timed(naive_person_changed, person, [*rules_a, *rules_b])
        assert (created, withdrawn) == (20, 20), (created, withdrawn)
        move_naive.append(seconds)

    med = statistics.median
    print(f"assignments bench: {args.n} people, {args.repeat} repeats, SQLite, {os.cpu_count()} CPUs")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (shared machine)")
    print(f"{'measure':<46}{'ours':>10}{'naive':>10}{'ratio':>8}")
    rows = [
        (f"materialise an everyone-rule ({args.n} obligations)", med(ours), med(naive)),
        ("department change: 20 withdrawn + 20 created", med(move_ours), med(move_naive)),
    ]
    for label, a, b in rows:
        print(f"{label:<46}{a * 1000:>8.0f}ms{b * 1000:>8.0f}ms{b / a:>7.1f}x")


if __name__ == "__main__":
    main()
