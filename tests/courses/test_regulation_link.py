"""When the rules change, training follows: a regulation update flags the courses whose lessons teach the
procedures it affects, and the regulation's traceability view shows those courses by department."""

from __future__ import annotations

import pytest

from courses.models import CourseReviewFlag
from courses.services import lesson_view_record
from tests.factories import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def taught(make_procedure, make_course):
    procedure = make_procedure("SOP-CS-003")
    body = [("procedure", {"procedure": procedure, "note": "第 3 步"}), ("text", "<p>確認通知時限。</p>")]
    course, lessons = make_course(2, title="客戶投訴處理實務", lesson_body=body)
    untouched, _ = make_course(1, title="接待服務標準")
    return procedure, course, lessons, untouched


def test_a_regulation_update_flags_the_courses_that_teach_its_procedures(
    taught, make_regulation, django_capture_on_commit_callbacks
):
    procedure, course, _lessons, untouched = taught
    with django_capture_on_commit_callbacks(execute=True):
        regulation = make_regulation(procedures=[procedure])
    flag = CourseReviewFlag.objects.get()
    assert (flag.course_id, flag.regulation_id, flag.procedure_ids) == (
        course.pk,
        regulation.pk,
        [procedure.pk],
    )
    assert not CourseReviewFlag.objects.filter(course=untouched).exists()
    with django_capture_on_commit_callbacks(execute=True):  # a second publish of the update: still one flag
        publish(type(regulation).objects.get(pk=regulation.pk))
    assert CourseReviewFlag.objects.filter(cleared_at__isnull=True).count() == 1
    publish(type(course).objects.get(pk=course.pk))  # the course's new version answers the flag
    assert CourseReviewFlag.objects.get().cleared_at is not None


def test_the_trace_view_shows_linked_courses_by_department(
    taught, make_regulation, make_staff, login, django_capture_on_commit_callbacks
):
    procedure, _course, lessons, _ = taught
    with django_capture_on_commit_callbacks(execute=True):
        regulation = make_regulation(procedures=[procedure])
    learner = make_staff("staff01", groups=["Staff"])
    lesson_view_record(user=learner.user, lesson=lessons[0])
    compliance = make_staff("compliance", groups=["Staff", "Compliance officer"]).user
    page = login(compliance).get(f"/regulations/{regulation.pk}/trace/").content.decode()
    assert "客戶投訴處理實務" in page and "接待服務標準" not in page
    assert learner.department.name in page
    assert "課程待覆核" in page
