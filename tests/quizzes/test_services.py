"""The attempt state machine: start, save, submit, deadline, limits, ledger record, versions."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import Page

from ledger.models import Record, to_millisecond
from ledger.verification import ledger_verify
from quizzes.grading import AnswerError
from quizzes.models import Attempt, AttemptState, QuestionOption, QuestionVersion, QuizItem
from quizzes.services import (
    ERR_TIME_UP,
    AttemptClosedError,
    QuizClosedError,
    StaleSequenceError,
    attempt_close_if_overdue,
    attempt_save_answers,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
)
from quizzes.signals import attempt_graded
from tests.quizzes.conftest import make_question

pytestmark = pytest.mark.django_db

RIGHT = {1: "o1", 2: ["o1", "o2"], 3: "false", 4: "ｊｆｉｕ", 5: {"p1": "m1", "p2": "m2"}}


@pytest.fixture
def quiz(make_quiz, questions):
    return make_quiz(*questions.values(), pass_mark=Decimal(80), max_attempts=2)


def test_full_marks_pass_and_write_one_ledger_record(quiz, learner):
    attempt, created = attempt_start(quiz=quiz, user=learner, for_page_id=None)
    assert created and attempt.state == AttemptState.IN_PROGRESS and attempt.number == 1
    attempt_save_answers(attempt=attempt, user=learner, answers=RIGHT, seq=1)
    attempt, graded = attempt_submit(attempt=attempt, user=learner)
    assert graded and attempt.state == AttemptState.GRADED
    assert (attempt.score, attempt.passed, attempt.points, attempt.max_points) == (
        Decimal("100.00"),
        True,
        Decimal("5.00"),
        Decimal("5.00"),
    )
    record = Record.objects.get()
    assert attempt.record == record
    assert (record.kind, record.outcome, record.score, record.title) == (
        "quiz_attempt",
        "passed",
        Decimal("100.00"),
        "反洗錢測驗",
    )
    assert record.data["quiz_id"] == quiz.pk and record.data["attempt_id"] == attempt.pk
    assert record.data["quiz_version"] == quiz.version
    assert (record.data["max_points"], record.data["pass_mark"]) == ("5.00", "80.00")
    assert ledger_verify().ok


def test_partial_answers_fail_with_the_right_score(quiz, learner):
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    attempt, _ = attempt_submit(
        attempt=attempt, user=learner, answers={1: "o1", 2: ["o1", "o3"], 5: {"p1": "m1"}}, seq=1
    )
    # 1 + 0 (50 - 50) + 0 + 0 + 0.5 = 1.5 of 5
    assert (attempt.score, attempt.passed) == (Decimal("30.00"), False)
    assert Record.objects.get().outcome == "failed"


def test_submitting_twice_changes_nothing(quiz, learner):
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    attempt, graded = attempt_submit(attempt=attempt, user=learner, answers={1: "o1"}, seq=1)
    again, graded_again = attempt_submit(attempt=attempt, user=learner, answers=RIGHT, seq=2)
    assert (graded, graded_again) == (True, False)
    assert again.score == attempt.score == Decimal("20.00")
    assert Record.objects.count() == 1
    with pytest.raises(AttemptClosedError):
        attempt_save_answers(attempt=attempt, user=learner, answers=RIGHT, seq=3)


def test_stale_sequence_is_refused_and_changes_nothing(quiz, learner):
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    attempt_save_answers(attempt=attempt, user=learner, answers={1: "o1"}, seq=5)
    with pytest.raises(StaleSequenceError):
        attempt_save_answers(attempt=attempt, user=learner, answers={1: "o2"}, seq=4)
    with pytest.raises(StaleSequenceError):
        attempt_save_answers(attempt=attempt, user=learner, answers={1: "o2"}, seq=5)
    assert attempt.slots.get(position=1).answer == "o1"


def test_a_bad_answer_saves_nothing_of_the_post(quiz, learner):
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    with pytest.raises(AnswerError, match="3"):
        attempt_save_answers(attempt=attempt, user=learner, answers={1: "o1", 3: "maybe"}, seq=1)
    with pytest.raises(AnswerError):
        attempt_save_answers(attempt=attempt, user=learner, answers={99: "o1"}, seq=1)
    attempt.refresh_from_db()
    assert attempt.seq == 0 and attempt.slots.get(position=1).answer is None


def test_someone_else_cannot_answer_or_submit(quiz, learner, make_staff):
    other = make_staff("other").user
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    with pytest.raises(QuizClosedError):
        attempt_save_answers(attempt=attempt, user=other, answers={1: "o1"}, seq=1)
    with pytest.raises(QuizClosedError):
        attempt_submit(attempt=attempt, user=other)
    assert Attempt.objects.get().state == AttemptState.IN_PROGRESS


def test_attempt_limit_and_resume(quiz, learner):
    first, created = attempt_start(quiz=quiz, user=learner)
    same, created_again = attempt_start(quiz=quiz, user=learner)
    assert created and not created_again and same.pk == first.pk
    attempt_submit(attempt=first, user=learner)
    second, _ = attempt_start(quiz=quiz, user=learner)
    attempt_submit(attempt=second, user=learner)
    with pytest.raises(QuizClosedError, match="2"):
        attempt_start(quiz=quiz, user=learner)
    assert Attempt.objects.count() == 2


def test_closed_quiz_cannot_be_started(make_quiz, questions, learner):
    quiz = make_quiz(questions["single"], available_from=timezone.now() + datetime.timedelta(days=1))
    with pytest.raises(QuizClosedError):
        attempt_start(quiz=quiz, user=learner)
    quiz.is_active = False
    quiz.available_from = None
    quiz.save()
    with pytest.raises(QuizClosedError):
        attempt_start(quiz=quiz, user=learner)


def test_deadline_is_enforced_on_the_server(make_quiz, questions, learner, settings):
    settings.QUIZ_DEADLINE_GRACE_SECONDS = 30
    quiz = make_quiz(questions["single"], questions["true_false"], time_limit_minutes=10)
    t0 = timezone.now() - datetime.timedelta(hours=1)
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=t0)
    assert attempt.deadline == t0 + datetime.timedelta(minutes=10)
    attempt_save_answers(
        attempt=attempt, user=learner, answers={1: "o1"}, seq=1, now=t0 + datetime.timedelta(minutes=5)
    )
    # within the grace: counted
    attempt_save_answers(
        attempt=attempt,
        user=learner,
        answers={2: "false"},
        seq=2,
        now=t0 + datetime.timedelta(minutes=10, seconds=20),
    )
    # after deadline + grace: not counted, the attempt is graded with what was saved
    with pytest.raises(AttemptClosedError):
        attempt_submit(
            attempt=attempt,
            user=learner,
            answers={1: "o2"},
            seq=3,
            now=t0 + datetime.timedelta(minutes=10, seconds=31),
        )
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and attempt.timed_out
    assert attempt.score == Decimal("100.00")  # o1 and false, the late o2 ignored
    assert attempt.submitted_at == to_millisecond(attempt.deadline + datetime.timedelta(seconds=30))
    assert Record.objects.get().data["timed_out"] is True


def test_abandoned_attempt_is_closed_by_the_sweep(make_quiz, questions, learner):
    quiz = make_quiz(questions["single"], time_limit_minutes=5)
    t0 = timezone.now() - datetime.timedelta(hours=1)
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=t0)
    attempt_save_answers(
        attempt=attempt, user=learner, answers={1: "o1"}, seq=1, now=t0 + datetime.timedelta(minutes=1)
    )
    assert attempt_close_if_overdue(attempt, now=t0 + datetime.timedelta(minutes=5)) is False  # not yet
    assert attempts_close_overdue() == 1
    assert attempts_close_overdue() == 0
    attempt.refresh_from_db()
    assert (attempt.state, attempt.timed_out, attempt.passed) == (AttemptState.GRADED, True, True)
    assert Record.objects.count() == 1


def test_close_overdue_attempts_command(make_quiz, questions, learner):
    from io import StringIO

    from django.core.management import call_command

    quiz = make_quiz(questions["single"], time_limit_minutes=5)
    attempt_start(quiz=quiz, user=learner, now=timezone.now() - datetime.timedelta(hours=1))
    out = StringIO()
    call_command("close_overdue_attempts", stdout=out)
    assert "1" in out.getvalue()
    assert Attempt.objects.get().state == AttemptState.GRADED


def test_selection_and_option_order_are_frozen_at_start(make_quiz, category, learner):
    pool = [
        make_question(category, "single", options=[(f"選項{n}{k}", 100 if k == 0 else 0) for k in range(4)])
        for n in range(8)
    ]
    quiz = make_quiz(draws=[(category, 4, "")], shuffle_questions=True, shuffle_options=True)
    attempt, _ = attempt_start(quiz=quiz, user=learner, rng=random.Random(7))
    slots = list(attempt.slots.order_by("position").values_list("version__question_id", "order"))
    assert len(slots) == 4 and len({q for q, _ in slots}) == 4
    assert any(order != ["o1", "o2", "o3", "o4"] for _q, order in slots)
    # editing the quiz and the questions afterwards changes nothing in the attempt
    quiz.shuffle_options = False
    quiz.save()
    for question in pool:
        question.options.add(QuestionOption(text="新增選項", weight=0))
        question.save()
    resumed, created = attempt_start(quiz=quiz, user=learner)
    assert not created
    assert list(resumed.slots.order_by("position").values_list("version__question_id", "order")) == slots


def test_draws_avoid_last_attempts_questions_where_the_pool_allows(make_quiz, category, learner):
    pool = [make_question(category, "true_false", tf=True) for _ in range(6)]
    quiz = make_quiz(draws=[(category, 3, "")], max_attempts=0)
    first, _ = attempt_start(quiz=quiz, user=learner)
    attempt_submit(attempt=first, user=learner)
    second, _ = attempt_start(quiz=quiz, user=learner)
    seen = set(first.slots.values_list("version__question_id", flat=True))
    assert seen.isdisjoint(second.slots.values_list("version__question_id", flat=True))
    assert len(pool) == 6


def test_draws_filter_by_tag(make_quiz, category, learner):
    tagged = make_question(category, "true_false", tf=True, tags=["可疑交易"])
    make_question(category, "true_false", tf=True, tags=["其他"])
    quiz = make_quiz(draws=[(category.parent, 5, "可疑交易")])  # subcategories included
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    assert list(attempt.slots.values_list("version__question_id", flat=True)) == [tagged.pk]


def test_editing_a_question_never_changes_a_past_attempt(make_quiz, questions, learner):
    question = questions["single"]
    quiz = make_quiz(question)
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    attempt, _ = attempt_submit(attempt=attempt, user=learner, answers={1: "o1"}, seq=1)
    option = question.options.first()
    option.weight = 0
    option.save()
    question.options.filter(sort_order=1).update(weight=100)
    later, _ = attempt_start(quiz=quiz, user=learner)
    assert QuestionVersion.objects.filter(question=question).count() == 2
    assert attempt.slots.get().version.number == 1 and later.slots.get().version.number == 2
    attempt.refresh_from_db()
    assert attempt.score == Decimal("100.00")


def test_graded_signal_runs_inside_the_grading_transaction(quiz, learner):
    seen = []

    def receiver(sender, attempt, **kwargs):
        seen.append((attempt.pk, attempt.passed, attempt.record_id))
        raise RuntimeError("the receiver failed")

    attempt_graded.connect(receiver, dispatch_uid="test-receiver")
    try:
        attempt, _ = attempt_start(quiz=quiz, user=learner)
        with pytest.raises(RuntimeError):
            attempt_submit(attempt=attempt, user=learner, answers=RIGHT, seq=1)
    finally:
        attempt_graded.disconnect(dispatch_uid="test-receiver")
    assert seen and seen[0][1] is True and seen[0][2] is not None
    attempt.refresh_from_db()  # rolled back with the receiver: still open, no evidence
    assert attempt.state == AttemptState.IN_PROGRESS and Record.objects.count() == 0


def test_a_pass_at_exactly_the_pass_mark_and_the_record_of_every_question(quiz, learner):
    page_id = Page.objects.first().pk  # the page the attempt was taken for (a course, a procedure)
    t0 = timezone.now() - datetime.timedelta(hours=1)
    submitted = t0 + datetime.timedelta(minutes=5)
    attempt, _ = attempt_start(quiz=quiz, user=learner, for_page_id=page_id, now=t0)
    answers = {**RIGHT, 2: ["o1"]}  # half of the multiple-choice question: 4.5 of 5 points
    attempt, _ = attempt_submit(attempt=attempt, user=learner, answers=answers, seq=1, now=submitted)
    slots = list(attempt.slots.select_related("version"))
    assert [slot.fraction for slot in slots] == [
        Decimal(1),
        Decimal("0.5"),
        Decimal(1),
        Decimal(1),
        Decimal(1),
    ]
    assert (attempt.points, attempt.score, attempt.passed) == (Decimal("4.50"), Decimal("90.00"), True)
    assert (attempt.graded_at, attempt.submitted_at) == (submitted, to_millisecond(submitted))
    record = Record.objects.get()
    assert (record.subject_type, record.page_id, record.outcome, record.score, record.occurred_at) == (
        "quizzes.quiz",
        page_id,
        "passed",
        Decimal("90.00"),
        to_millisecond(submitted),
    )
    assert record.data == {
        "quiz_id": quiz.pk,
        "quiz_version": quiz.version,
        "attempt_id": attempt.pk,
        "attempt_number": 1,
        "for_page_id": page_id,
        "points": "4.50",
        "max_points": "5.00",
        "pass_mark": "80.00",
        "timed_out": False,
        "started_at": t0.astimezone(datetime.UTC).isoformat(),
        "questions": [
            {"question_id": s.version.question_id, "version": s.version.number, "fraction": str(s.fraction)}
            for s in slots
        ],
    }
    assert [q["fraction"] for q in record.data["questions"]] == [
        "1.0000",
        "0.5000",
        "1.0000",
        "1.0000",
        "1.0000",
    ]
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    exactly, _ = attempt_submit(attempt=attempt, user=learner, answers={**RIGHT, 1: "o2"}, seq=1)  # 4 of 5
    assert (exactly.score, exactly.passed, exactly.record.outcome) == (Decimal("80.00"), True, "passed")


def test_points_are_each_fraction_times_the_points_of_its_question(make_quiz, questions, learner):
    quiz = make_quiz(questions["single"], questions["multiple"], pass_mark=Decimal(50))
    QuizItem.objects.filter(quiz=quiz).update(points=Decimal(2))
    attempt, _ = attempt_start(quiz=quiz, user=learner)
    attempt, _ = attempt_submit(attempt=attempt, user=learner, answers={1: "o1", 2: ["o1"]}, seq=1)
    assert (attempt.points, attempt.max_points, attempt.score) == (
        Decimal("3.00"),
        Decimal("4.00"),
        Decimal("75.00"),
    )


def test_submitting_without_a_sequence_number_takes_the_next_and_a_stale_one_is_refused(quiz, learner):
    t0 = timezone.now() - datetime.timedelta(hours=1)
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=t0)
    attempt_save_answers(attempt=attempt, user=learner, answers={1: "o2"}, seq=3, now=t0)
    with pytest.raises(StaleSequenceError):
        attempt_submit(attempt=attempt, user=learner, answers={1: "o1"}, seq=3, now=t0)
    at = t0 + datetime.timedelta(minutes=3)
    attempt, graded = attempt_submit(attempt=attempt, user=learner, answers={1: "o1"}, now=at)
    slot = attempt.slots.get(position=1)
    assert (graded, attempt.seq, slot.answer, slot.answered_at, attempt.score) == (
        True,
        4,
        "o1",
        at,
        Decimal("20.00"),
    )


def test_the_grace_after_the_deadline_is_the_setting_and_its_last_instant_counts(
    make_quiz, questions, learner, settings
):
    quiz = make_quiz(questions["single"], time_limit_minutes=5, max_attempts=3)
    t0 = timezone.now() - datetime.timedelta(hours=1)
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=t0)
    last = attempt.deadline + datetime.timedelta(seconds=30)
    attempt, _ = attempt_submit(attempt=attempt, user=learner, answers={1: "o1"}, seq=1, now=last)
    assert (attempt.timed_out, attempt.score) == (False, Decimal("100.00"))
    settings.QUIZ_DEADLINE_GRACE_SECONDS = 5
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=t0 + datetime.timedelta(minutes=10))
    with pytest.raises(AttemptClosedError) as late:
        attempt_submit(
            attempt=attempt,
            user=learner,
            answers={1: "o1"},
            seq=1,
            now=attempt.deadline + datetime.timedelta(seconds=6),
        )
    assert str(late.value) == str(ERR_TIME_UP)
    attempt.refresh_from_db()
    assert (attempt.timed_out, attempt.score) == (True, Decimal("0.00"))
