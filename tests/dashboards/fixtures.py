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
