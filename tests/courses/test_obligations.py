"""Courses report to the obligation table in the same transaction: progress, completion, refresher."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from assignments.daily import daily_run
from assignments.models import AssignmentRule, DueKind, Obligation, Status
from courses.models import CourseCompletion
from courses.selectors import my_training
from courses.services import course_refresher_require, lesson_view_record
from tests.courses.conftest import take_quiz
from tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(make_course, learner, django_capture_on_commit_callbacks):
    course, lessons = make_course(2, title="反洗錢與反欺詐年度培訓", validity_months=12)
    with django_capture_on_commit_callbacks(execute=True):
        assign_by_rule(course, learner, "年度反洗錢培訓")
    return course, lessons


def assign_by_rule(course, learner, name: str, **fields) -> AssignmentRule:
    """A rule owing ``course`` to ``learner`` within 30 days (run it under commit callbacks)."""
    rule = AssignmentRule.objects.create(
        name=name,
        target_type=ContentType.objects.get_for_model(course),
        target_id=course.pk,
        due_kind=DueKind.AFTER_ASSIGNMENT,
        due_days=30,
        **fields,
    )
    rule.audience_people.set([learner.staff_profile])
    return rule


def test_progress_and_completion_update_the_obligation(assigned, learner):
    _course, lessons = assigned
    obligation = Obligation.objects.get(person__user=learner)
    assert obligation.status == Status.NOT_STARTED
    assert my_training(learner).groups["not_started"][0].due == obligation.due_date
    lesson_view_record(user=learner, lesson=lessons[0])
    obligation.refresh_from_db()
    assert (obligation.status, obligation.progress_done, obligation.progress_total) == (
        Status.IN_PROGRESS,
        1,
        2,
    )
    lesson_view_record(user=learner, lesson=lessons[1])
    obligation.refresh_from_db()
    completion = CourseCompletion.objects.get()
    assert obligation.status == Status.COMPLETED_ON_TIME
    assert obligation.record_id == completion.record_id and obligation.valid_until == completion.valid_until


def test_a_refresher_reopens_the_obligation_and_keeps_the_old_one(assigned, learner, superuser):
    course, lessons = assigned
    earlier = timezone.now() - datetime.timedelta(days=2)
    for lesson in lessons:
        lesson_view_record(user=learner, lesson=lesson, at=earlier)
    course = publish(course)
    course_refresher_require(user=superuser, course=course, reason="新增大額轉賬冷靜期")
    chain = list(Obligation.objects.filter(person__user=learner).order_by("cycle"))
    assert [ob.status for ob in chain] == [Status.EXPIRED, Status.NOT_STARTED]
    assert chain[0].record_id == CourseCompletion.objects.get().record_id


def test_a_learning_path_owes_its_courses_to_its_people_by_hire_date(make_course, make_path, learner):
    first, lessons = make_course(1, title="服務標準")
    second, _ = make_course(1, title="產品及賬戶")
    make_path(first, second, due_days=30)  # audience: all staff; publishing it materialises
    owed = {ob.target_id: ob for ob in Obligation.objects.filter(person__user=learner)}
    assert set(owed) == {first.pk, second.pk}
    assert owed[first.pk].due_date == datetime.date(2024, 3, 31)  # hire date 2024-03-01 + 30 days
    lesson_view_record(user=learner, lesson=lessons[0])
    owed[first.pk].refresh_from_db()
    assert owed[first.pk].status == Status.COMPLETED_LATE  # completed long after the due date
    assert owed[first.pk].record_id == CourseCompletion.objects.get().record_id


def test_a_refresher_of_a_course_on_a_learning_path_survives_the_daily_run(
    make_course, make_path, learner, superuser
):
    # Regression: the daily run's sync withdrew it as "no longer owed" (the path reports cycle 1, done)
    course, lessons = make_course(1, title="服務標準")
    make_path(course, due_days=30)
    lesson_view_record(user=learner, lesson=lessons[0], at=timezone.now() - datetime.timedelta(days=2))
    course = publish(course)
    course_refresher_require(user=superuser, course=course, reason="新增大額轉賬冷靜期")
    daily_run(timezone.localdate())
    chain = Obligation.objects.filter(person__user=learner).order_by("cycle", "pk")
    assert list(chain.values_list("cycle", "status", "withdrawn_reason")) == [
        (1, Status.EXPIRED, "新增大額轉賬冷靜期"),
        (2, Status.NOT_STARTED, ""),
    ]


def test_a_renewed_course_on_a_learning_path_is_renewed_once(make_course, make_path, learner):
    # Regression: each daily run withdrew the renewal and the next one opened another
    course, lessons = make_course(1, title="反洗錢年度培訓", validity_months=12)
    make_path(course, due_days=30)
    lesson_view_record(user=learner, lesson=lessons[0])
    valid_until = CourseCompletion.objects.get().valid_until
    for day in range(30, 25, -1):
        daily_run(valid_until - datetime.timedelta(days=day))
    chain = Obligation.objects.filter(person__user=learner).order_by("cycle", "pk")
    assert list(chain.values_list("cycle", "status", "due_date")) == [
        (1, Status.COMPLETED_LATE, datetime.date(2024, 3, 31)),
        (2, Status.NOT_STARTED, valid_until),
    ]


def test_the_obligation_records_the_quiz_score_and_the_courses_validity(
    make_course, course_quiz, learner, django_capture_on_commit_callbacks
):
    course, lessons = make_course(1, quiz=course_quiz, validity_months=12)
    with django_capture_on_commit_callbacks(execute=True):
        # the course's own validity (12 months) is what the completion says, not the rule's recurrence
        assign_by_rule(course, learner, "兩年一次", recurrence_months=24)
    lesson_view_record(user=learner, lesson=lessons[0])
    take_quiz(course_quiz, learner, for_page=course)
    completion = CourseCompletion.objects.get()
    obligation = Obligation.objects.get(person__user=learner)
    assert (obligation.status, obligation.score, obligation.valid_until, obligation.record_id) == (
        Status.COMPLETED_ON_TIME,
        completion.score,
        completion.valid_until,
        completion.record_id,
    )
    assert completion.score == 100
