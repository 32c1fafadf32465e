"""Submitting an attempt grades it and writes its ledger record together or not at all (issue 15 item 4).

The last database write fails (tests/halfway.py); afterwards the attempt is still in progress with its
answers, and no record, grade or acknowledgement of it remains.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from quizzes.models import Attempt, AttemptState
from quizzes.services import attempt_save_answers, attempt_start, attempt_submit
from tests.halfway import changed_tables, database_snapshot, fail_on_last_write

pytestmark = pytest.mark.django_db

RIGHT = {1: "o1", 2: ["o1", "o2"], 3: "false", 4: "ｊｆｉｕ", 5: {"p1": "m1", "p2": "m2"}}


def test_submit_grade_and_record(make_quiz, questions, learner):
    quiz = make_quiz(*questions.values(), pass_mark=Decimal(80), max_attempts=2)
    attempt, _ = attempt_start(quiz=quiz, user=learner, for_page_id=None)
    attempt_save_answers(attempt=attempt, user=learner, answers=RIGHT, seq=1)
    before = database_snapshot()

    assert (
        fail_on_last_write(lambda: attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), user=learner))
        >= 2
    )

    assert changed_tables(before, database_snapshot()) == []
    attempt, graded = attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk), user=learner)
    assert graded and attempt.state == AttemptState.GRADED and attempt.passed
