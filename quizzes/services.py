"""Writes of the quiz engine: question versions, and the attempt state machine.

    in progress ──submit──▶ submitted ──▶ graded
        └── deadline + grace passed (sweep, task, or any touch) ──▶ overdue ──▶ graded

Grading happens in the same transaction as the submit, writes the ledger record, and sends
``signals.attempt_graded`` inside that transaction. Every entry point takes ``now`` (tests, demo history).
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import default_task_backend

from ledger.models import Outcome, RecordKind, to_millisecond
from ledger.services import record_append

from .grading import AnswerError, clean_answer, grade, percent
from .models import (
    Attempt,
    AttemptSlot,
    AttemptState,
    Question,
    QuestionType,
    QuestionVersion,
    Quiz,
)
from .models.bank import snapshot_hash
from .signals import attempt_graded

# Key class of the PostgreSQL advisory lock per (quiz, person): starts of one person's quiz take turns.
START_LOCK_CLASS = 0x5157  # "QW"

ERR_QUIZ_CLOSED = _("This quiz is not open at the moment.")
ERR_NO_ATTEMPTS = _("You have used all %(max)s attempts at this quiz.")
ERR_EMPTY_QUIZ = _("This quiz has no questions to draw yet. Please tell the training team.")
ERR_NOT_YOURS = _("This attempt is not yours.")
ERR_CLOSED = _("This attempt has already been submitted; nothing was changed.")
ERR_TIME_UP = _(
    "Time ran out: the answers saved before the deadline were graded; later answers do not count."
)
ERR_STALE = _(
    "This page is out of date: your answers were saved from another window or tab since. "
    "Reload the page to see them, then continue."
)
ERR_UNKNOWN_QUESTION = _("There is no question %(n)s in this attempt.")


class QuizError(ValueError):
    """A refused action; ``str(error)`` is the learner's message. ``status`` is the HTTP status to answer."""

    status = 400


class QuizClosedError(QuizError):
    status = 403


class AttemptClosedError(QuizError):
    status = 409


class StaleSequenceError(QuizError):
    status = 409


def grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "QUIZ_DEADLINE_GRACE_SECONDS", 30))


# --- question versions -----------------------------------------------------------------------------------


def question_snapshot(question: Question) -> dict[str, Any]:
    """Everything grading and review need, as plain JSON (options must be prefetched for speed)."""
    options = list(question.options.all())
    data: dict[str, Any] = {
        "type": question.qtype,
        "name": question.name,
        "text": question.text,
        "explanation": question.explanation,
        "category": question.category.path if question.category_id else "",
        "duty_area": question.duty_area,
        "tested_page_id": question.tested_page_id,
        "tests_step": question.tests_step,
    }
    if question.qtype == QuestionType.TRUE_FALSE:
        feedback = {o.text.strip().lower(): o.feedback for o in options}
        data["options"] = [
            {
                "key": key,
                "text": "",
                "weight": "100.00" if question.true_false_answer is value else "0.00",
                "feedback": feedback.get(key, ""),
            }
            for key, value in (("true", True), ("false", False))
        ]
    elif question.qtype == QuestionType.MATCHING:
        matches: dict[str, str] = {}
        for option in options:
            matches.setdefault(option.match_text.strip(), f"m{len(matches) + 1}")
        data["matches"] = [{"key": key, "text": text} for text, key in matches.items()]
        data["pairs"] = [
            {"key": f"p{n}", "prompt": o.text, "match": matches[o.match_text.strip()]}
            for n, o in enumerate((o for o in options if o.text.strip()), start=1)
        ]
    else:
        data["grading"] = question.multiple_grading
        data["options"] = [
            {"key": f"o{n}", "text": o.text, "weight": f"{o.weight:.2f}", "feedback": o.feedback}
            for n, o in enumerate(options, start=1)
        ]
    return data


def question_versions_current(questions: Iterable[Question], *, user=None) -> dict[int, QuestionVersion]:
    """The version matching each question's current content, creating new versions where it changed."""
    questions = list(questions)
    latest: dict[int, QuestionVersion] = {}
    for version in QuestionVersion.objects.filter(question__in=questions).order_by("question_id", "-number"):
        latest.setdefault(version.question_id, version)
    result = {}
    for question in questions:
        data = question_snapshot(question)
        digest = snapshot_hash(data)
        current = latest.get(question.pk)
        if current is None or current.content_hash != digest:
            number = (current.number + 1) if current else 1
            try:
                with transaction.atomic():
                    current = QuestionVersion.objects.create(
                        question=question,
                        number=number,
                        data=data,
                        content_hash=digest,
                        created_by=user if getattr(user, "pk", None) else None,
                    )
            except IntegrityError:  # another start snapshotted the same change first: use that version
                current = QuestionVersion.objects.get(question=question, number=number)
                if current.content_hash != digest:
                    raise
        result[question.pk] = current
    return result


# --- starting ------------------------------------------------------------------------------------------


def _lock_start(quiz_id: int, user_id: int) -> None:
    """Make two starts of the same person's quiz take turns until the transaction ends."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [(START_LOCK_CLASS << 16 | quiz_id % 0x10000) % 2**31, user_id % 2**31],
            )
    # SQLite: transaction_mode IMMEDIATE means the outermost atomic() already holds the single write lock.


def _pool(item, exclude: set[int]) -> list[Question]:
    categories = item.category.subtree() if item.include_subcategories else [item.category]
    questions = Question.objects.filter(category__in=categories, is_active=True).exclude(pk__in=exclude)
    if item.tag:
        questions = questions.filter(tags__name__iexact=item.tag)
    return list(questions.distinct().order_by("pk"))


def quiz_select(
    quiz: Quiz, *, seen_last_time: set[int], rng: random.Random
) -> list[tuple[Question, Decimal]]:
    """The questions of a new attempt with their points: fixed ones, then draws (preferring unseen ones)."""
    items = list(quiz.items.select_related("question", "category").order_by("sort_order", "pk"))
    chosen: list[tuple[Question, Decimal]] = []
    taken: set[int] = set()
    for item in items:
        if item.question_id and item.question.is_active and item.question_id not in taken:
            chosen.append((item.question, item.points))
            taken.add(item.question_id)
    for item in items:
        if not item.category_id:
            continue
        pool = _pool(item, taken)
        avoid = seen_last_time if quiz.avoid_repeats else set()
        fresh = [q for q in pool if q.pk not in avoid]
        stale = [q for q in pool if q.pk in avoid]
        rng.shuffle(fresh)
        rng.shuffle(stale)
        for question in (fresh + stale)[: item.count]:
            chosen.append((question, item.points))
            taken.add(question.pk)
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def _option_order(data: Mapping[str, Any], shuffle: bool, rng: random.Random) -> list[str]:
    if data["type"] == "short":
        return []
    keys = (
        [m["key"] for m in data["matches"]]
        if data["type"] == "matching"
        else [o["key"] for o in data["options"]]
    )
    if shuffle and data["type"] != "true_false":
        rng.shuffle(keys)
    return keys


def open_attempt(quiz: Quiz, user) -> Attempt | None:
    return Attempt.objects.filter(quiz=quiz, user=user, state=AttemptState.IN_PROGRESS).first()


def attempt_start(
    *,
    quiz: Quiz,
    user,
    for_page_id: int | None = None,
    return_url: str = "",
    now: datetime.datetime | None = None,
    rng: random.Random | None = None,
) -> tuple[Attempt, bool]:
    """Start an attempt (or return the one in progress). Returns (attempt, created).

    The selection, option order, question versions and the quiz's rules are frozen in the attempt now.
    """
    now = now or timezone.now()
    rng = rng or random.Random(secrets.randbits(64))
    with transaction.atomic():
        _lock_start(quiz.pk, user.pk)
        attempts_close_overdue(quiz=quiz, user=user, now=now)
        current = open_attempt(quiz, user)
        if current is not None:
            return current, False
        quiz = Quiz.objects.get(pk=quiz.pk)  # the rules as committed, read under the lock
        if not quiz.is_open(now):
            raise QuizClosedError(ERR_QUIZ_CLOSED)
        previous = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("-number")[:1])
        used = previous[0].number if previous else 0
        if quiz.max_attempts and used >= quiz.max_attempts:
            raise QuizClosedError(ERR_NO_ATTEMPTS % {"max": quiz.max_attempts})
        seen = set(previous[0].slots.values_list("version__question_id", flat=True)) if previous else set()
        selection = quiz_select(quiz, seen_last_time=seen, rng=rng)
        if not selection:
            raise QuizError(ERR_EMPTY_QUIZ)
        questions = (
            Question.objects.filter(pk__in=[q.pk for q, _points in selection])
            .select_related("category")
            .prefetch_related("options")
        )
        versions = question_versions_current(questions)
        attempt = Attempt.objects.create(
            quiz=quiz,
            user=user,
            number=used + 1,
            for_page_id=for_page_id,
            return_url=return_url[:500],
            started_at=now,
            deadline=now + datetime.timedelta(minutes=quiz.time_limit_minutes)
            if quiz.time_limit_minutes
            else None,
            max_points=sum((points for _q, points in selection), Decimal(0)),
            rules={
                "title": quiz.title,
                "quiz_version": quiz.version,
                "pass_mark": f"{quiz.pass_mark:.2f}",
                "max_attempts": quiz.max_attempts,
                "time_limit_minutes": quiz.time_limit_minutes,
                "grading_method": quiz.grading_method,
                "review_policy": quiz.review_policy,
                "layout": quiz.layout,
            },
        )
        AttemptSlot.objects.bulk_create(
            [
                AttemptSlot(
                    attempt=attempt,
                    position=position,
                    version=versions[question.pk],
                    points=points,
                    order=_option_order(versions[question.pk].data, quiz.shuffle_options, rng),
                )
                for position, (question, points) in enumerate(selection, start=1)
            ]
        )
        if attempt.deadline and default_task_backend.supports_defer:
            from .tasks import close_overdue_attempt

            run_after = attempt.deadline + grace() + datetime.timedelta(seconds=1)
            attempt_id = attempt.pk
            transaction.on_commit(
                lambda: close_overdue_attempt.using(run_after=run_after).enqueue(attempt_id)
            )
    return attempt, True


# --- answering and submitting -------------------------------------------------------------------------------


def _locked(attempt: Attempt, user) -> Attempt:
    locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if user is not None and locked.user_id != user.pk:
        raise QuizClosedError(ERR_NOT_YOURS)
    return locked


def _past_grace(attempt: Attempt, now: datetime.datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + grace()


def _store_answers(attempt: Attempt, answers: Mapping[int, Any], seq: int, now: datetime.datetime) -> None:
    if seq <= attempt.seq:
        raise StaleSequenceError(ERR_STALE)
    slots = {slot.position: slot for slot in attempt.slots.select_related("version")}
    changed = []
    errors = []
    for position, raw in answers.items():
        slot = slots.get(position)
        if slot is None:
            raise AnswerError(ERR_UNKNOWN_QUESTION % {"n": position})
        try:
            value = clean_answer(slot.version.data, position, raw)
        except AnswerError as exc:
            errors.append(str(exc))
            continue
        if value != slot.answer:
            slot.answer, slot.answered_at = value, now
            changed.append(slot)
    if errors:
        raise AnswerError(" ".join(errors))
    AttemptSlot.objects.bulk_update(changed, ["answer", "answered_at"])
    attempt.seq = seq
    attempt.save(update_fields=["seq"])


def attempt_save_answers(
    *, attempt: Attempt, user, answers: Mapping[int, Any], seq: int, now: datetime.datetime | None = None
) -> Attempt:
    """Save answers (by question position) under sequence number ``seq``, which must be newer than the last.

    After the deadline + grace nothing is saved: the attempt is closed and graded as it was.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt, user)
        if attempt.state != AttemptState.IN_PROGRESS:
            raise AttemptClosedError(ERR_CLOSED)
        late = _past_grace(attempt, now)
        if late:
            _grade(attempt, now=now, timed_out=True)
        else:
            _store_answers(attempt, answers, seq, now)
    if late:  # raised after the commit, so the grading stands
        raise AttemptClosedError(ERR_TIME_UP)
    return attempt


def attempt_submit(
    *,
    attempt: Attempt,
    user,
    answers: Mapping[int, Any] | None = None,
    seq: int | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Attempt, bool]:
    """Submit (with last answers, if any) and grade. Returns (attempt, graded_now); a repeat changes nothing.

    After the deadline + grace the last answers are not counted: the attempt is graded as saved.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt, user)
        if attempt.state == AttemptState.GRADED:
            return attempt, False
        late = _past_grace(attempt, now)
        if not late and answers:
            _store_answers(attempt, answers, seq if seq is not None else attempt.seq + 1, now)
        _grade(attempt, now=now, timed_out=late)
    if late and answers:  # raised after the commit, so the grading stands
        raise AttemptClosedError(ERR_TIME_UP)
    return attempt, True


def attempt_close_if_overdue(attempt: Attempt, *, now: datetime.datetime | None = None) -> bool:
    """Grade an abandoned attempt whose deadline + grace has passed. True if it did."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt, None)
        if attempt.state != AttemptState.IN_PROGRESS or not _past_grace(attempt, now):
            return False
        _grade(attempt, now=now, timed_out=True)
    return True


def attempts_close_overdue(
    *, quiz: Quiz | None = None, user=None, now: datetime.datetime | None = None
) -> int:
    """Close every overdue attempt (of a quiz and/or person). The sweep, the task and page views call it."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(state=AttemptState.IN_PROGRESS, deadline__lt=now - grace())
    if quiz is not None:
        overdue = overdue.filter(quiz=quiz)
    if user is not None:
        overdue = overdue.filter(user=user)
    return sum(attempt_close_if_overdue(attempt, now=now) for attempt in overdue)


def _grade(attempt: Attempt, *, now: datetime.datetime, timed_out: bool) -> None:
    """Mark the attempt submitted (or overdue), grade every slot, write the ledger record, tell listeners."""
    attempt.state = AttemptState.OVERDUE if timed_out else AttemptState.SUBMITTED
    attempt.timed_out = timed_out
    # Whole milliseconds, as the ledger stores and hashes them: the row and its record show the same time.
    attempt.submitted_at = to_millisecond(min(now, attempt.deadline + grace()) if timed_out else now)
    slots = list(attempt.slots.select_related("version"))
    points = Decimal(0)
    for slot in slots:
        slot.fraction = grade(slot.version.data, slot.answer)
        points += slot.fraction * slot.points
    AttemptSlot.objects.bulk_update(slots, ["fraction"])
    attempt.points = points.quantize(Decimal("0.01"))
    attempt.score = percent(points, attempt.max_points)
    attempt.passed = attempt.score >= Decimal(attempt.rules["pass_mark"])
    attempt.graded_at = now
    attempt.state = AttemptState.GRADED
    attempt.record = record_append(
        kind=RecordKind.QUIZ_ATTEMPT,
        actor=attempt.user,
        subject_type="quizzes.quiz",
        page_id=attempt.for_page_id,
        title=attempt.rules["title"][:255],
        outcome=Outcome.PASSED if attempt.passed else Outcome.FAILED,
        score=attempt.score,
        data={
            "quiz_id": attempt.quiz_id,
            "quiz_version": attempt.rules["quiz_version"],
            "attempt_id": attempt.pk,
            "attempt_number": attempt.number,
            "for_page_id": attempt.for_page_id,
            "points": f"{attempt.points:.2f}",
            "max_points": f"{attempt.max_points:.2f}",
            "pass_mark": attempt.rules["pass_mark"],
            "timed_out": timed_out,
            "started_at": attempt.started_at.astimezone(datetime.UTC).isoformat(),
            "questions": [
                {
                    "question_id": s.version.question_id,
                    "version": s.version.number,
                    "fraction": f"{s.fraction}",
                }
                for s in slots
            ],
        },
        occurred_at=attempt.submitted_at,
    )
    attempt.save()
    attempt_graded.send(sender=Attempt, attempt=attempt)
