"""The attempt limit holds when starts race, and abandoned attempts are closed by the deferred task."""

from __future__ import annotations

import datetime
import threading

import pytest

from quizzes.models import Attempt, AttemptState
from quizzes.services import QuizClosedError, attempt_start, attempt_submit

THREADS = 8


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_never_exceed_the_attempt_limit(make_quiz, questions, learner):
    from django.db import connections

    quiz = make_quiz(*questions.values(), max_attempts=2)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            barrier.wait()
            attempt, created = attempt_start(quiz=quiz, user=learner)
            if created:
                attempt_submit(attempt=attempt, user=learner)  # frees the slot for the next start
            result = "created" if created else "resumed"
        except QuizClosedError:
            result = "refused"
        except BaseException as exc:  # reported by the assertion below
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(outcomes) <= {"created", "refused", "resumed"}, outcomes
    assert outcomes.count("created") == 2
    assert list(Attempt.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_abandoned_attempt_is_closed_by_the_deferred_task(make_quiz, questions, learner, settings):
    """With the database task backend, starting a timed attempt queues its closing at deadline + grace."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # django_tasks resets
    quiz = make_quiz(questions["single"], time_limit_minutes=5)
    started = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)
    attempt, _ = attempt_start(quiz=quiz, user=learner, now=started)
    ours = DBTaskResult.objects.filter(task_path="quizzes.tasks.close_overdue_attempt")
    queued = ours.get()
    assert queued.args_kwargs["args"] == [attempt.pk]
    assert queued.run_after == attempt.deadline + datetime.timedelta(seconds=31)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.GRADED and attempt.timed_out
    assert ours.get().return_value == "closed"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_different_people_starting_together_share_a_new_question_version(make_quiz, questions, make_staff):
    """Two learners snapshot the same edited question at once: one version, no error."""
    from django.db import connections

    from quizzes.models import QuestionVersion

    quiz = make_quiz(*questions.values())
    users = [make_staff(f"racer{n}").user for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def work(user) -> None:
        try:
            barrier.wait()
            attempt_start(quiz=quiz, user=user)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Attempt.objects.count() == THREADS
    assert QuestionVersion.objects.count() == len(questions)
