"""The one place where courses talk to assignments (the obligation table): the assignable types, the three
events — each reported inside the transaction of the course's own records — and the due
dates 我的培訓 shows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from assignments import services as assignment_services
from assignments.models import OPEN_STATUSES, Obligation
from assignments.registry import TRAINING, TargetType, register
from people.audience import Audience
from people.models import StaffProfile

from .models import CoursePage, LearningPathPage


def _path_courses(path: LearningPathPage) -> list[CoursePage]:
    return [step.course for step in path.steps.select_related("course")]


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
