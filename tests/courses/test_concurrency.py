"""Two requests completing the same course at once complete it once (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from courses.models import CourseCompletion, CourseProgress, ProgressState
from courses.services import lesson_view_record
from ledger.models import Record, RecordKind

THREADS = 6


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_last_lessons_complete_the_course_once(make_course, learner):
    _course, lessons = make_course(2)
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        try:
            barrier.wait()
            progress = lesson_view_record(user=learner, lesson=lessons[n % 2])
            result = progress.state
        except BaseException as exc:  # reported by the assertion below
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(outcomes) <= {ProgressState.IN_PROGRESS, ProgressState.COMPLETED}, outcomes
    assert CourseCompletion.objects.count() == 1
    assert Record.objects.filter(kind=RecordKind.COMPLETION).count() == 1
    progress = CourseProgress.objects.get()
    assert progress.state == ProgressState.COMPLETED and progress.lessons_done == 2
