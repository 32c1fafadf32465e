"""Obligations, attempts and a small org written straight into the tables the dashboards read."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType

from assignments.models import Obligation, Source, Status
from quizzes.models import Attempt, AttemptState, Quiz

HK = ZoneInfo("Asia/Hong_Kong")


def hk(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HK)


def target(title: str = "反洗錢與反欺詐年度培訓") -> Quiz:
    """Any model serves as an obligation's target here; a quiz is the simplest one to make."""
    return Quiz.objects.create(title=title)


def owe(person, what, *, due, status=Status.NOT_STARTED, completed=None, key="quizzes.quiz", **extra):
    return Obligation.objects.create(
        person=person,
        target_type=ContentType.objects.get_for_model(what),
        target_id=what.pk,
        target_key=key,
        title=str(getattr(what, "title", what)),
        source=Source.MANUAL,
        source_key=f"test:{what.pk}",
        status=status,
        due_date=due,
        assigned_at=extra.pop("assigned_at", hk(2026, 6, 1, 9)),
        completed_at=completed,
        **extra,
    )


def attempt(person, quiz, *, graded, score, number=1):
    return Attempt.objects.create(
        quiz=quiz,
        user=person.user,
        number=number,
        state=AttemptState.GRADED,
        started_at=graded - datetime.timedelta(minutes=20),
        submitted_at=graded,
        graded_at=graded,
        score=Decimal(score),
        passed=Decimal(score) >= 70,
    )


def bulk_team(boss, count: int, items: list, *, prefix: str = "r"):
    """``count`` reports under ``boss`` (bulk, with the closure table rebuilt), each owing every item."""
    from django.contrib.auth import get_user_model

    from people.models import StaffProfile
    from people.services import org_rebuild

    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"{prefix}{n:04d}") for n in range(count)])
    people = StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=user,
                employee_number=f"{prefix.upper()}{n:05d}",
                display_name=f"組員{n}",
                department=boss.department,
                position=boss.position,
                supervisor=boss,
                hire_date=datetime.date(2024, 1, 2),
            )
            for n, user in enumerate(users)
        ]
    )
    org_rebuild()
    statuses = [Status.COMPLETED_ON_TIME, Status.OVERDUE, Status.IN_PROGRESS, Status.NOT_STARTED]
    rows = []
    for n, person in enumerate(people):
        for m, what in enumerate(items):
            status = statuses[(n + m) % len(statuses)]
            rows.append(
                Obligation(
                    person=person,
                    target_type=ContentType.objects.get_for_model(what),
                    target_id=what.pk,
                    target_key="quizzes.quiz",
                    title=what.title,
                    source=Source.MANUAL,
                    source_key="bulk",
                    status=status,
                    due_date=datetime.date(2026, 9, 1),
                    assigned_at=hk(2026, 6, 1, 9),
                    completed_at=hk(2026, 8, 1, 9) if status == Status.COMPLETED_ON_TIME else None,
                )
            )
    Obligation.objects.bulk_create(rows)
    return people
