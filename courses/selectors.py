"""Reads of courses: lessons in order, prerequisites (explicit and by learning path), who has completed what,
and the rows of 我的培訓."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.audience import Audience, audience_includes_q
from people.models import StaffProfile
from people.selectors import profile_for

from .models import (
    CourseCompletion,
    CoursePage,
    CourseProgress,
    CourseReviewFlag,
    LearningPathPage,
    LearningPathStep,
    LessonPage,
    LessonView,
    ProgressState,
)
from .obligations import open_due_dates


def lessons_of(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons in their order (the page tree's order)."""
    return list(LessonPage.objects.live().child_of(course).order_by("path"))


def path_predecessors(course_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each course, the courses just before it in every live learning path that holds it."""
    course_ids = set(course_ids)
    steps = (
        LearningPathStep.objects.filter(path__live=True)
        .order_by("path_id", "sort_order", "pk")
        .values_list("path_id", "course_id")
    )
    before: dict[int, set[int]] = {}
    previous: dict[int, int] = {}
    for path_id, course_id in steps:
        if course_id in course_ids and path_id in previous:
            before.setdefault(course_id, set()).add(previous[path_id])
        previous[path_id] = course_id
    return before


def prerequisites_by_course(courses: Iterable[CoursePage]) -> dict[int, set[int]]:
    """Explicit prerequisites plus learning-path order, by course id (two queries)."""
    courses = list(courses)
    ids = [c.pk for c in courses]
    result: dict[int, set[int]] = {pk: set() for pk in ids}
    through = CoursePage.prerequisites.through
    for from_id, to_id in through.objects.filter(from_coursepage_id__in=ids).values_list(
        "from_coursepage_id", "to_coursepage_id"
    ):
        result[from_id].add(to_id)
    for course_id, before in path_predecessors(ids).items():
        result[course_id] |= before
    for pk in ids:
        result[pk].discard(pk)
    return result


def completed_course_ids(user) -> set[int]:
    """Courses this person has ever completed (any cycle; an expired completion still opens what follows)."""
    return set(CourseCompletion.objects.filter(user=user).values_list("course_page_id", flat=True).distinct())


def missing_prerequisites(user, course: CoursePage) -> list[CoursePage]:
    """The prerequisites of ``course`` this person has not completed, in title order."""
    needed = prerequisites_by_course([course])[course.pk] - completed_course_ids(user)
    return list(CoursePage.objects.filter(pk__in=needed).order_by("title")) if needed else []


def completion_history(user, course_page_id: int | None = None) -> QuerySet[CourseCompletion]:
    history = CourseCompletion.objects.filter(user=user).select_related("record")
    if course_page_id is not None:
        history = history.filter(course_page_id=course_page_id)
    return history.order_by("-completed_at")


def viewed_lesson_ids(user, course: CoursePage, cycle: int) -> set[int]:
    return set(
        LessonView.objects.filter(user=user, course=course, cycle=cycle).values_list("lesson_id", flat=True)
    )


def open_review_flags(course_ids: Iterable[int]) -> QuerySet[CourseReviewFlag]:
    return (
        CourseReviewFlag.objects.filter(course_id__in=list(course_ids), cleared_at__isnull=True)
        .select_related("regulation")
        .order_by("-raised_at")
    )


SEARCH_TYPE_LABEL = _("Training")  # the site search's type facet for courses and lessons (培訓)


# --- 我的培訓 -------------------------------------------------------------------------------------------

NOT_STARTED, IN_PROGRESS, COMPLETED, EXPIRED = "not_started", "in_progress", "completed", "expired"


@dataclass
class TrainingRow:
    course: CoursePage
    progress: CourseProgress | None
    status: str  # NOT_STARTED | IN_PROGRESS | COMPLETED | EXPIRED
    locked_by: list[CoursePage] = field(default_factory=list)
    due: datetime.date | None = None
    recertifying: bool = False

    @property
    def percent(self) -> int:
        return self.progress.percent if self.progress else 0


@dataclass
class PathRow:
    path: LearningPathPage
    rows: list[TrainingRow]

    @property
    def done(self) -> int:
        return sum(1 for row in self.rows if row.status == COMPLETED)


@dataclass
class MyTraining:
    paths: list[PathRow]
    groups: dict[str, list[TrainingRow]]  # by status; courses shown in a path are not repeated here
    counts: dict[str, int]  # by status, over every course


def status_of(progress: CourseProgress | None, today: datetime.date) -> str:
    if progress is None:
        return NOT_STARTED
    if progress.state == ProgressState.COMPLETED:
        return EXPIRED if progress.is_expired(today) else COMPLETED
    if progress.state == ProgressState.IN_PROGRESS:
        return IN_PROGRESS
    return NOT_STARTED


def my_training(user, *, today: datetime.date | None = None) -> MyTraining:
    """The courses and paths for this person, grouped by status, with a fixed number of queries.

    A course is listed when its audience includes the person, when it is in a path for them, or when they
    have progress in it.
    """
    today = today or timezone.localdate()
    profile = profile_for(user)
    paths = list(
        LearningPathPage.objects.live()
        .filter(audience_includes_q(LearningPathPage, profile))
        .order_by("title")
        .prefetch_related("steps")
    )
    path_course_ids = {step.course_id for path in paths for step in path.steps.all()}
    progress = {p.course_id: p for p in CourseProgress.objects.filter(user=user)}
    extra = path_course_ids | set(progress)
    courses = list(
        CoursePage.objects.live()
        .filter(audience_includes_q(CoursePage, profile) | Q(pk__in=extra))
        .order_by("title")
    )
    prereqs = prerequisites_by_course(courses)
    done_ids = completed_course_ids(user)
    titles = {c.pk: c for c in courses}
    hire_date = profile.hire_date if profile else None
    due_by_course: dict[int, datetime.date] = {}
    for path in paths:
        for step in path.steps.all():
            if step.due_days is not None and hire_date:
                due = hire_date + datetime.timedelta(days=step.due_days)
                due_by_course[step.course_id] = min(due, due_by_course.get(step.course_id, due))
    due_by_course.update(open_due_dates(profile))  # what the person is assigned wins over the path's default
    rows: dict[int, TrainingRow] = {}
    for course in courses:
        mine = progress.get(course.pk)
        status = status_of(mine, today)
        due = due_by_course.get(course.pk)
        if mine and mine.valid_until and status in (COMPLETED, EXPIRED):
            due = mine.valid_until  # recertify by
        missing = [titles[pk] for pk in prereqs.get(course.pk, set()) - done_ids if pk in titles]
        rows[course.pk] = TrainingRow(
            course=course,
            progress=mine,
            status=status,
            locked_by=missing if status == NOT_STARTED else [],
            due=due if status != COMPLETED or (mine and mine.valid_until) else None,
            recertifying=bool(mine and mine.cycle > 1 and status in (NOT_STARTED, IN_PROGRESS)),
        )
    groups: dict[str, list[TrainingRow]] = {IN_PROGRESS: [], NOT_STARTED: [], EXPIRED: [], COMPLETED: []}
    counts = dict.fromkeys(groups, 0)
    for row in rows.values():
        counts[row.status] += 1
        if row.course.pk not in path_course_ids:
            groups[row.status].append(row)
    for key in (IN_PROGRESS, NOT_STARTED):
        groups[key].sort(key=lambda r: (bool(r.locked_by), r.due or datetime.date.max, r.course.title))
    path_rows = [
        PathRow(path, [rows[step.course_id] for step in path.steps.all() if step.course_id in rows])
        for path in paths
    ]
    return MyTraining(paths=path_rows, groups=groups, counts=counts)


def course_progress_by_department(course: CoursePage) -> list[dict]:
    """For the regulation trace: per department, how many of the course's audience completed (valid), are in
    progress, or have not started."""
    audience = Audience.of(course)
    staff = StaffProfile.objects.filter(audience.staff_q()).select_related("department")
    progress = {p.user_id: p for p in CourseProgress.objects.filter(course=course)}
    today = timezone.localdate()
    by_dept: dict[int, dict] = {}
    for person in staff:
        row = by_dept.setdefault(
            person.department_id,
            {"department": person.department, "completed": 0, "in_progress": 0, "not_started": 0},
        )
        status = status_of(progress.get(person.user_id), today)
        key = {COMPLETED: "completed", IN_PROGRESS: "in_progress"}.get(status, "not_started")
        row[key] += 1
    return sorted(by_dept.values(), key=lambda r: r["department"].name)
