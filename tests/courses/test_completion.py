"""Progress and completion: lesson views, the quiz pass in the grading transaction, prerequisites on the
server, expiry and recertification, refreshers, deleted courses keeping their records."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from courses.ledger_checks import completion_mismatches
from courses.models import CourseCompletion, CourseProgress, LessonView, ProgressState
from courses.selectors import EXPIRED, my_training
from courses.services import (
    CourseError,
    CourseLocked,
    course_recertify_start,
    course_refresher_require,
    lesson_view_record,
)
from ledger.models import Record, RecordKind
from quizzes.services import attempt_start, attempt_submit
from quizzes.signals import attempt_graded
from tests.courses.conftest import take_quiz
from tests.factories import publish

pytestmark = pytest.mark.django_db


def test_opening_lessons_counts_progress_and_the_last_one_completes_a_course_without_quiz(
    make_course, learner
):
    course, lessons = make_course(3)
    progress = lesson_view_record(user=learner, lesson=lessons[0])
    assert (progress.state, progress.lessons_done, progress.lessons_total) == ("in_progress", 1, 3)
    lesson_view_record(user=learner, lesson=lessons[0])  # opening again counts once
    lesson_view_record(user=learner, lesson=lessons[2])
    assert not CourseCompletion.objects.exists()
    progress = lesson_view_record(user=learner, lesson=lessons[1])
    assert progress.state == ProgressState.COMPLETED and progress.lessons_done == 3
    completion = CourseCompletion.objects.get()
    record = completion.record
    assert record.kind == RecordKind.COMPLETION and record.actor_id == learner.pk
    assert (record.page_id, record.revision_id) == (course.pk, course.live_revision_id)
    assert record.data["valid_until"] is None and record.score is None
    assert record.occurred_at == completion.completed_at == progress.completed_at
    assert list(completion_mismatches("default")) == []


def test_quiz_course_completes_the_moment_the_quiz_is_passed(make_course, course_quiz, learner):
    course, lessons = make_course(2, quiz=course_quiz, validity_months=12)
    for lesson in lessons:
        lesson_view_record(user=learner, lesson=lesson)
    assert CourseProgress.objects.get().state == ProgressState.IN_PROGRESS  # lessons alone are not enough
    take_quiz(course_quiz, learner, right=False, for_page=course)
    assert not CourseCompletion.objects.exists()
    attempt = take_quiz(course_quiz, learner, right=True, for_page=course)
    completion = CourseCompletion.objects.get()
    assert completion.score == attempt.score == 100
    assert completion.completed_at == attempt.submitted_at
    today = timezone.localdate(attempt.submitted_at)
    assert completion.valid_until.year == today.year + 1 and completion.valid_until.month == today.month
    assert completion.record.data["attempt_id"] == attempt.pk
    assert completion.record.data["valid_until"] == completion.valid_until.isoformat()


def test_a_pass_before_the_lessons_counts_when_the_last_lesson_is_opened(make_course, course_quiz, learner):
    course, lessons = make_course(2, quiz=course_quiz)
    take_quiz(course_quiz, learner, for_page=course)
    lesson_view_record(user=learner, lesson=lessons[0])
    assert not CourseCompletion.objects.exists()
    lesson_view_record(user=learner, lesson=lessons[1])
    assert CourseCompletion.objects.get().score == 100


def test_a_pass_taken_for_another_page_does_not_complete_the_course(make_course, course_quiz, learner):
    _course, lessons = make_course(1, quiz=course_quiz)
    other, _ = make_course(1)
    lesson_view_record(user=learner, lesson=lessons[0])
    take_quiz(course_quiz, learner, for_page=other)
    assert not CourseCompletion.objects.exists()


def test_completion_is_written_in_the_grading_transaction(make_course, course_quiz, learner):
    """If anything later in the grading fails, the attempt, its record and the completion all roll back."""
    course, lessons = make_course(1, quiz=course_quiz)
    lesson_view_record(user=learner, lesson=lessons[0])

    def fail_after_courses(sender, attempt, **kwargs):
        assert CourseCompletion.objects.filter(
            user=attempt.user
        ).exists()  # courses ran first, same transaction
        raise RuntimeError("a later receiver fails")

    attempt_graded.connect(fail_after_courses, dispatch_uid="test_fail_after_courses")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            take_quiz(course_quiz, learner, for_page=course)
    finally:
        attempt_graded.disconnect(dispatch_uid="test_fail_after_courses")
    assert not CourseCompletion.objects.exists()
    assert not Record.objects.filter(kind=RecordKind.COMPLETION).exists()
    assert CourseProgress.objects.get().state == ProgressState.IN_PROGRESS


def test_prerequisites_are_enforced_on_the_server(make_course, learner, login):
    basics, basic_lessons = make_course(1, title="入職基礎")
    advanced, lessons = make_course(2, title="投訴進階", prerequisites=[basics])
    with pytest.raises(CourseLocked) as refused:
        lesson_view_record(user=learner, lesson=lessons[0])
    assert "入職基礎" in str(refused.value)
    client = login(learner)
    response = client.get(lessons[0].url)
    assert response.status_code == 403
    assert "入職基礎" in response.content.decode()
    assert client.post(lessons[0].url + "done/").status_code == 403
    assert not LessonView.objects.filter(course=advanced).exists()
    lesson_view_record(user=learner, lesson=basic_lessons[0])  # completes the prerequisite
    assert client.get(lessons[0].url).status_code == 200
    assert LessonView.objects.filter(course=advanced, user=learner).count() == 1


def test_a_learning_path_locks_each_course_until_the_one_before_is_complete(
    make_course, make_path, learner, login
):
    first, first_lessons = make_course(1, title="服務標準")
    second, second_lessons = make_course(1, title="產品及賬戶")
    make_path(first, second, due_days=30)
    client = login(learner)
    assert client.get(second_lessons[0].url).status_code == 403
    training = my_training(learner)
    rows = training.paths[0].rows
    assert [row.course.title for row in rows] == ["服務標準", "產品及賬戶"]
    assert rows[0].locked_by == [] and [c.title for c in rows[1].locked_by] == ["服務標準"]
    assert rows[0].due == datetime.date(2024, 3, 31)  # hire date + 30 days
    assert client.get(first_lessons[0].url).status_code == 200
    assert client.get(second_lessons[0].url).status_code == 200


def test_expiry_and_recertification_keep_the_history(make_course, course_quiz, learner):
    course, lessons = make_course(1, quiz=course_quiz, validity_months=12)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    lesson_view_record(user=learner, lesson=lessons[0], at=long_ago)
    take_quiz(course_quiz, learner, for_page=course, now=long_ago + datetime.timedelta(minutes=5))
    first = CourseCompletion.objects.get()
    assert first.is_expired()
    training = my_training(learner)
    assert [row.course.pk for row in training.groups[EXPIRED]] == [course.pk]
    progress = course_recertify_start(user=learner, course=course)
    assert (progress.cycle, progress.state, progress.lessons_done) == (2, "not_started", 0)
    # The old pass belongs to the old cycle: opening the lesson again is not enough.
    lesson_view_record(user=learner, lesson=lessons[0])
    assert CourseCompletion.objects.count() == 1
    take_quiz(course_quiz, learner, for_page=course)
    assert CourseCompletion.objects.count() == 2
    latest = CourseCompletion.objects.order_by("-completed_at").first()
    assert latest.cycle == 2 and not latest.is_expired() and latest.code != first.code
    assert Record.objects.filter(kind=RecordKind.COMPLETION).count() == 2
    assert list(completion_mismatches("default")) == []


def test_opening_a_lesson_of_an_expired_course_starts_recertifying(make_course, learner):
    _course, lessons = make_course(2, validity_months=12)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for lesson in lessons:
        lesson_view_record(user=learner, lesson=lesson, at=long_ago)
    progress = lesson_view_record(user=learner, lesson=lessons[0])
    assert (progress.cycle, progress.state, progress.reason, progress.lessons_done) == (
        2,
        "in_progress",
        "expired",
        1,
    )
    lesson_view_record(user=learner, lesson=lessons[1])
    assert list(CourseCompletion.objects.order_by("cycle").values_list("cycle", flat=True)) == [1, 2]


def test_recertification_is_refused_while_the_completion_is_valid(make_course, learner):
    course, lessons = make_course(1, validity_months=12)
    lesson_view_record(user=learner, lesson=lessons[0])
    with pytest.raises(CourseError):
        course_recertify_start(user=learner, course=course)
    assert CourseProgress.objects.get().cycle == 1


def test_refresher_reassigns_everyone_who_completed_before_the_new_version(
    make_course, learner, make_staff, superuser
):
    course, lessons = make_course(1)
    other = make_staff("staff10", groups=["Staff"]).user
    lesson_view_record(user=learner, lesson=lessons[0], at=timezone.now() - datetime.timedelta(days=3))
    with pytest.raises(CourseError):  # no new version since the completions
        course_refresher_require(user=superuser, course=course, reason="新規")
    course = publish(course)  # a new material version
    refresher = course_refresher_require(user=superuser, course=course, reason="新增冷靜期規定")
    assert refresher.reopened == 1
    progress = CourseProgress.objects.get(user=learner)
    assert (progress.state, progress.cycle, progress.reason) == ("not_started", 2, "refresher")
    assert CourseCompletion.objects.filter(user=learner).count() == 1  # history kept
    lesson_view_record(user=other, lesson=lessons[0])  # after the refresher: not affected
    lesson_view_record(user=learner, lesson=lessons[0])
    assert CourseCompletion.objects.filter(user=learner).count() == 2


def test_staff_cannot_require_a_refresher(make_course, learner, login):
    course, _ = make_course(1)
    client = login(learner)
    assert client.post(course.url + "refresher/", {"reason": "x"}).status_code == 403


def test_a_deleted_course_keeps_its_completions_and_records(make_course, learner):
    course, lessons = make_course(1)
    lesson_view_record(user=learner, lesson=lessons[0])
    code = CourseCompletion.objects.get().code
    course.delete()
    completion = CourseCompletion.objects.get(code=code)
    assert completion.course is None and completion.course_title == course.title
    assert Record.objects.filter(kind=RecordKind.COMPLETION, page_id=completion.course_page_id).count() == 1
    assert list(completion_mismatches("default")) == []


def test_completions_cannot_be_edited_and_an_edited_row_is_caught(make_course, learner):
    _course, lessons = make_course(1, validity_months=12)
    lesson_view_record(user=learner, lesson=lessons[0])
    completion = CourseCompletion.objects.get()
    with pytest.raises(PermissionError):
        completion.save()
    with pytest.raises(PermissionError):
        CourseCompletion.objects.update(valid_until=datetime.date(2099, 1, 1))
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE courses_coursecompletion SET valid_until = '2099-01-01'")
    problems = list(completion_mismatches("default"))
    assert len(problems) == 1 and "valid_until is 2099-01-01" in problems[0][1]


def test_auditors_read_lessons_without_recording(make_course, make_staff, login):
    _course, lessons = make_course(1)
    auditor = make_staff("auditor", groups=["Staff", "Auditor"]).user
    assert login(auditor).get(lessons[0].url).status_code == 200
    assert not LessonView.objects.exists() and not CourseProgress.objects.exists()


# --- Edges found by mutation testing (docs/testing.md, "Scores") -------------------------------------------


def test_only_the_persons_own_lesson_views_count(make_course, make_staff, learner):
    _course, lessons = make_course(2)
    colleague = make_staff("staff10", groups=["Staff"]).user
    for lesson in lessons:
        lesson_view_record(user=colleague, lesson=lesson)
    progress = lesson_view_record(user=learner, lesson=lessons[0])
    assert (progress.state, progress.lessons_done, progress.lessons_total) == ("in_progress", 1, 2)
    assert CourseCompletion.objects.filter(user=learner).count() == 0


def test_the_completion_record_says_what_was_completed(make_course, learner):
    course, lessons = make_course(2)
    for lesson in lessons:
        lesson_view_record(user=learner, lesson=lesson)
    completion = CourseCompletion.objects.get()
    assert (completion.course_id, completion.course_page_id, completion.course_title, completion.cycle) == (
        course.pk,
        course.pk,
        course.title,
        1,
    )
    assert CourseProgress.objects.get().last_completion == completion  # the course page links its certificate
    assert completion.record.data == {
        "cycle": 1,
        "valid_until": None,
        "lessons": 2,
        "attempt_id": None,
        "code": completion.code,
        "reason": "",
    }


def test_a_quiz_only_course_completes_on_the_pass(make_course, course_quiz, learner):
    course, _ = make_course(0, quiz=course_quiz)
    attempt = take_quiz(course_quiz, learner, for_page=course)
    completion = CourseCompletion.objects.get()
    assert (completion.score, completion.record.data["lessons"]) == (attempt.score, 0)


def test_a_pass_before_any_lesson_starts_the_course_and_a_later_pass_keeps_the_start(
    make_course, course_quiz, learner
):
    course, _ = make_course(2, quiz=course_quiz)
    attempt = take_quiz(course_quiz, learner, for_page=course)
    progress = CourseProgress.objects.get()
    assert (progress.state, progress.started_at, progress.quiz_passed) == (
        "in_progress",
        attempt.submitted_at,
        True,
    )
    other, other_lessons = make_course(2, quiz=course_quiz)
    first_view = lesson_view_record(user=learner, lesson=other_lessons[0]).started_at
    take_quiz(course_quiz, learner, for_page=other)
    assert CourseProgress.objects.get(course=other).started_at == first_view


def test_a_pass_with_a_score_of_zero_is_recorded_as_zero(make_course, make_quiz, quiz_category, learner):
    from tests.quizzes.conftest import make_question

    question = make_question(
        quiz_category, "single", text="確認通知的時限？", options=[("1 個工作天", 100), ("30 日", 0)]
    )
    anyone_passes = make_quiz(question, title="課後問卷", pass_mark=0, max_attempts=5)
    course, _ = make_course(0, quiz=anyone_passes)
    take_quiz(anyone_passes, learner, right=False, for_page=course)
    assert CourseCompletion.objects.get().score == 0


def test_a_score_is_recorded_only_while_the_course_has_its_quiz(make_course, course_quiz, learner):
    course, lessons = make_course(1, quiz=course_quiz)
    take_quiz(course_quiz, learner, for_page=course)  # passed; the lesson is still to open
    course.quiz = None
    publish(course)
    lesson_view_record(user=learner, lesson=lessons[0])
    completion = CourseCompletion.objects.get()
    assert (completion.score, completion.record.score) == (None, None)


def test_a_passed_course_quiz_does_not_count_while_the_course_is_locked(make_course, course_quiz, learner):
    basics, basic_lessons = make_course(1, title="入職基礎")
    advanced, _ = make_course(0, title="投訴進階", prerequisites=[basics], quiz=course_quiz)
    take_quiz(course_quiz, learner, for_page=advanced)
    assert not CourseProgress.objects.filter(course=advanced).exists()
    lesson_view_record(user=learner, lesson=basic_lessons[0])  # the prerequisite done: a new pass counts
    take_quiz(course_quiz, learner, for_page=advanced)
    assert CourseCompletion.objects.filter(course=advanced).count() == 1


def test_an_attempt_begun_before_recertifying_does_not_count_for_the_new_cycle(
    make_course, course_quiz, learner
):
    course, lessons = make_course(1, quiz=course_quiz, validity_months=12)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    lesson_view_record(user=learner, lesson=lessons[0], at=long_ago)
    take_quiz(course_quiz, learner, for_page=course, now=long_ago + datetime.timedelta(minutes=5))
    begun, _ = attempt_start(quiz=course_quiz, user=learner, for_page_id=course.pk)
    progress = course_recertify_start(user=learner, course=course)
    slot = begun.slots.get()
    right = next(o["key"] for o in slot.version.data["options"] if o["weight"] != "0.00")
    attempt, _ = attempt_submit(attempt=begun, user=learner, answers={slot.position: right}, seq=1)
    assert attempt.passed
    progress = CourseProgress.objects.get()
    assert (progress.cycle, progress.quiz_passed, progress.score) == (2, False, None)
