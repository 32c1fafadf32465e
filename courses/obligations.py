"""The one place where courses talk to assignments (the obligation table): the assignable types, the three
events — each reported inside the transaction of the course's own records — and the due
dates 我的培訓 shows."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from assignments import services as assignment_services
from assignments.models import OPEN_STATUSES, Obligation
from assignments.registry import TRAINING, Owed, TargetType, register
from people.audience import Audience
from people.models import StaffProfile

from .models import CourseCompletion, CoursePage, LearningPathPage


def _path_courses(path: LearningPathPage) -> list[CoursePage]:
    return [step.course for step in path.steps.select_related("course")]


def owed_path_courses(people, courses) -> Iterator[Owed]:
    """Who owes which course through a learning path's audience: each course with "due N days after hire
    date" is owed by the path's people by hire date + N (the earliest when several paths hold it); their first
    completion, if any, is the evidence. ``None`` for either argument means all."""
    if courses is not None:
        wanted = {course.pk for course in courses if course.live}
        if not wanted:
            return
    else:
        wanted = None
    people = list(
        people if people is not None else StaffProfile.objects.filter(is_active=True).select_related("user")
    )
    due: dict[tuple[int, int], tuple[StaffProfile, CoursePage, datetime.date]] = {}
    paths = LearningPathPage.objects.live().prefetch_related(
        "steps__course", "audience_departments", "audience_positions"
    )
    for path in paths:
        audience = Audience.of(path)
        members = [person for person in people if audience.matches(person)]
        for step in path.steps.all():
            course = step.course
            if step.due_days is None or not course.live or (wanted is not None and course.pk not in wanted):
                continue
            for person in members:
                date = person.hire_date + datetime.timedelta(days=step.due_days)
                key = (person.pk, course.pk)
                if key not in due or date < due[key][2]:
                    due[key] = (person, course, date)
    if not due:
        return
    first: dict[tuple[int, int], tuple[datetime.datetime, int]] = {}
    completions = CourseCompletion.objects.filter(
        user_id__in={person.user_id for person, _c, _d in due.values()},
        course_page_id__in={course.pk for _p, course, _d in due.values()},
    ).order_by("completed_at")
    for user_id, course_id, at, record_id in completions.values_list(
        "user_id", "course_page_id", "completed_at", "record_id"
    ):
        first.setdefault((user_id, course_id), (at, record_id))
    for person, course, date in due.values():
        done = first.get((person.user_id, course.pk))
        yield Owed(
            person=person,
            target=course,
            cycle=1,
            due_date=date,
            completed_at=done[0] if done else None,
            record_id=done[1] if done else None,
        )


def path_changed(path: LearningPathPage) -> None:
    """A learning path was published: who owes its courses may have changed."""
    for step in path.steps.select_related("course"):
        assignment_services.target_materialise(step.course)


def register_types() -> None:
    """Courses and learning paths can be assigned (called from CoursesConfig.ready)."""
    register(
        TargetType(
            key="courses.course",
            model=CoursePage,
            label=_("Course"),
            kind=TRAINING,
            url=lambda course: course.url,
            audience=Audience.of,
            validity_months=lambda course: course.validity_months,
            owed=owed_path_courses,
            title=lambda course: course.title,
        )
    )
    register(
        TargetType(
            key="courses.path",
            model=LearningPathPage,
            label=_("Learning path"),
            kind=TRAINING,
            url=lambda path: path.url,
            audience=Audience.of,
            members=_path_courses,
            title=lambda path: path.title,
        )
    )


def progressed(*, user, course: CoursePage, done: int, total: int, at: datetime.datetime) -> None:
    assignment_services.obligation_progress(user=user, target=course, done=done, total=total, at=at)


def fulfilled(
    *,
    user,
    course: CoursePage,
    at: datetime.datetime,
    record,
    score: Decimal | None,
    valid_until: datetime.date | None,
) -> None:
    assignment_services.obligation_fulfil(
        user=user, target=course, at=at, record=record, score=score, valid_until=valid_until
    )


def reopened(*, course: CoursePage, completed_before: datetime.datetime, reason: str) -> int:
    return assignment_services.obligations_reopen(
        target=course, completed_before=completed_before, reason=reason
    )


def open_due_dates(profile: StaffProfile | None) -> dict[int, datetime.date]:
    """The earliest due date of each course this person owes (open obligations), by course id. One query."""
    if profile is None:
        return {}
    rows = (
        Obligation.objects.current()
        .filter(
            person=profile,
            status__in=OPEN_STATUSES,
            target_type=ContentType.objects.get_for_model(CoursePage),
        )
        .values_list("target_id", "due_date")
    )
    due: dict[int, datetime.date] = {}
    for course_id, date in rows:
        due[course_id] = min(date, due.get(course_id, date))
    return due
