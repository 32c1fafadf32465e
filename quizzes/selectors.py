"""Reads of the quiz engine, each in a fixed number of queries: a person's standing in a quiz, an attempt
with its questions, what review an attempt may show, and trainers' statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from .grading import combine, is_correct
from .models import Attempt, AttemptSlot, AttemptState, Quiz, ReviewPolicy


@dataclass
class Standing:
    """One person's position in one quiz: attempts so far, what is left, the grade that counts."""

    quiz: Quiz
    graded: list[Attempt] = field(default_factory=list)  # oldest first
    in_progress: Attempt | None = None
    used: int = 0

    @property
    def left(self) -> int | None:
        if not self.quiz.max_attempts:
            return None
        return max(0, self.quiz.max_attempts - self.used)

    @property
    def counting_score(self) -> Decimal | None:
        return combine([a.score for a in self.graded], self.quiz.grading_method)

    @property
    def best_score(self) -> Decimal | None:
        return max((a.score for a in self.graded), default=None)

    @property
    def passed(self) -> bool:
        """Passed per the quiz's grading method (the counting score reaches the pass mark)."""
        score = self.counting_score
        return score is not None and score >= self.quiz.pass_mark

    @property
    def passed_any(self) -> bool:
        return any(a.passed for a in self.graded)

    @property
    def can_start(self) -> bool:
        return self.in_progress is None and self.quiz.is_open() and (self.left is None or self.left > 0)


def standing(quiz: Quiz, user) -> Standing:
    """One query: the person's attempts at ``quiz``."""
    attempts = list(Attempt.objects.filter(quiz=quiz, user=user).order_by("number"))
    return Standing(
        quiz=quiz,
        graded=[a for a in attempts if a.state == AttemptState.GRADED],
        in_progress=next((a for a in attempts if a.state == AttemptState.IN_PROGRESS), None),
        used=len(attempts),
    )


def attempt_for(user, attempt_id: int) -> Attempt | None:
    """The person's own attempt with its quiz (others' attempts are invisible: None)."""
    return Attempt.objects.select_related("quiz").filter(pk=attempt_id, user=user).first()


def slots_of(attempt: Attempt) -> list[AttemptSlot]:
    """The attempt's questions in order with their versions (one query)."""
    return list(attempt.slots.select_related("version").order_by("position"))


def review_allowed(attempt: Attempt, mine: Standing) -> bool:
    """May this graded attempt show correct answers, feedback and explanations (the attempt's own policy)?"""
    if attempt.state != AttemptState.GRADED:
        return False
    policy = attempt.rules.get("review_policy", ReviewPolicy.NEVER)
    if policy == ReviewPolicy.AFTER_EACH:
        return True
    if policy == ReviewPolicy.AFTER_PASSING:
        return mine.passed_any
    if policy == ReviewPolicy.AFTER_LAST:
        return mine.left == 0 and mine.in_progress is None
    return False


def open_quizzes() -> QuerySet[Quiz]:
    now = timezone.now()
    return (
        Quiz.objects.filter(is_active=True)
        .filter(Q(available_from__isnull=True) | Q(available_from__lte=now))
        .filter(Q(available_until__isnull=True) | Q(available_until__gt=now))
        .order_by("title")
    )


def my_attempts(user) -> QuerySet[Attempt]:
    return Attempt.objects.filter(user=user).select_related("quiz").order_by("-started_at", "-pk")


def quiz_attempts(quiz: Quiz) -> QuerySet[Attempt]:
    """Every attempt at a quiz with the person's profile, for trainers."""
    return (
        Attempt.objects.filter(quiz=quiz)
        .select_related("user", "user__staff_profile", "user__staff_profile__department", "for_page")
        .order_by("-started_at", "-pk")
    )


@dataclass
class QuestionStats:
    question_id: int
    name: str
    qtype: str
    seen: int = 0
    facility: Decimal | None = None  # mean fraction earned, as %
    discrimination: Decimal | None = None  # facility in the top third minus the bottom third
    choices: list[tuple[str, int, bool]] = field(default_factory=list)  # option text, times chosen, correct


def question_statistics(quiz: Quiz) -> list[QuestionStats]:
    """Per question of a quiz's graded attempts: facility, option choices, discrimination (2 queries)."""
    attempts = list(
        Attempt.objects.filter(quiz=quiz, state=AttemptState.GRADED)
        .only("pk", "score")
        .prefetch_related(Prefetch("slots", queryset=AttemptSlot.objects.select_related("version")))
    )
    ranked = sorted(attempts, key=lambda a: a.score)
    third = len(ranked) // 3
    low = {a.pk for a in ranked[:third]}
    high = {a.pk for a in ranked[len(ranked) - third :]} if third else set()
    stats: dict[int, QuestionStats] = {}
    fractions: dict[int, list[Decimal]] = defaultdict(list)
    groups: dict[int, dict[str, list[Decimal]]] = defaultdict(lambda: {"high": [], "low": []})
    chosen: dict[int, Counter] = defaultdict(Counter)
    texts: dict[int, dict[str, tuple[str, bool]]] = defaultdict(dict)
    for attempt in attempts:
        for slot in attempt.slots.all():
            data = slot.version.data
            qid = slot.version.question_id
            stats.setdefault(qid, QuestionStats(qid, data["name"], data["type"]))
            stats[qid].seen += 1
            fractions[qid].append(slot.fraction or Decimal(0))
            if attempt.pk in high:
                groups[qid]["high"].append(slot.fraction or Decimal(0))
            if attempt.pk in low:
                groups[qid]["low"].append(slot.fraction or Decimal(0))
            if data["type"] in {"single", "multiple", "true_false"}:
                by_key = {o["key"]: o for o in data["options"]}
                for key, option in by_key.items():
                    label = option["text"] or key
                    texts[qid].setdefault(label, (label, Decimal(option["weight"]) > 0))
                answer = (
                    slot.answer if isinstance(slot.answer, list) else [slot.answer] if slot.answer else []
                )
                for key in answer:
                    if key in by_key:
                        chosen[qid][by_key[key]["text"] or key] += 1
            elif data["type"] in {"short", "matching"}:
                chosen[qid]["✓" if is_correct(data, slot.fraction) else "✗"] += 1
    result = []
    for qid, item in stats.items():
        values = fractions[qid]
        item.facility = (sum(values, Decimal(0)) * 100 / len(values)).quantize(Decimal("0.1"))
        high_values, low_values = groups[qid]["high"], groups[qid]["low"]
        if high_values and low_values:
            item.discrimination = (
                sum(high_values, Decimal(0)) / len(high_values)
                - sum(low_values, Decimal(0)) / len(low_values)
            ).quantize(Decimal("0.01"))
        if texts[qid]:
            item.choices = [(label, chosen[qid][label], correct) for label, correct in texts[qid].values()]
        else:
            item.choices = [(label, count, label == "✓") for label, count in sorted(chosen[qid].items())]
        result.append(item)
    return sorted(result, key=lambda s: (s.facility, s.question_id))


def quiz_summary(quiz: Quiz) -> dict:
    """Counts for the trainer's report header (one query)."""
    return Attempt.objects.filter(quiz=quiz).aggregate(
        total=Count("pk"),
        graded=Count("pk", filter=Q(state=AttemptState.GRADED)),
        passed=Count("pk", filter=Q(passed=True)),
        people=Count("user", distinct=True),
    )
