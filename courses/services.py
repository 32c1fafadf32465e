"""Writes of courses: lesson views, quiz passes, completion (evidence), recertification, refreshers,
review flags.

Completion is decided in the transaction of the event that completes it — the last lesson opened, or the
course quiz passed (``quizzes.signals.attempt_graded``, inside the grading transaction) — with the person's
progress row locked, and a unique constraint (person, course, cycle) behind it: two concurrent events
complete a course once.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import add_months
from kb.models import RegulationUpdatePage
from ledger.models import Outcome, RecordKind
from ledger.services import record_append
from people.access import is_read_only
from quizzes.models import Attempt

from . import obligations
from .models import (
    CourseCompletion,
    CoursePage,
    CourseProgress,
    CourseRefresher,
    CourseReviewFlag,
    LessonPage,
    LessonView,
    ProgressState,
    RecertReason,
)
from .selectors import lessons_of, missing_prerequisites

ERR_LOCKED = _("Complete %(courses)s first: this course builds on it.")
ERR_READ_ONLY = _("Auditors read without taking training: nothing was recorded.")
ERR_NOT_RECERTIFIABLE = _("This course is not due for recertification: your completion is still valid.")
ERR_REFRESHER_VERSION = _(
    "Publish the course's new version first: a refresher applies to a version published since the last one."
)
ERR_REFRESHER_REASON = _("Say why the refresher is required (staff see it).")
ERR_REFRESHER_DENIED = _("Only training admins and the course's editors can require a refresher.")
RECERTIFY_WINDOW_DAYS = 30  # a completion may be renewed this many days before it expires

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class CourseLocked(PermissionDenied):
    """The course's prerequisites are not complete; ``str()`` names them."""


class CourseError(ValueError):
    pass


def verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _check_open(user, course: CoursePage) -> None:
    if is_read_only(user):
        raise PermissionDenied(ERR_READ_ONLY)
    missing = missing_prerequisites(user, course)
    if missing:
        raise CourseLocked(ERR_LOCKED % {"courses": "、".join(f"《{c.title}》" for c in missing)})


def _locked_progress(user, course: CoursePage) -> CourseProgress:
    """The person's progress row, created if missing, locked until the transaction ends."""
    try:
        with transaction.atomic():
            CourseProgress.objects.get_or_create(user=user, course=course)
    except IntegrityError:  # created meanwhile by a concurrent request
        pass
    return CourseProgress.objects.select_for_update().get(user=user, course=course)


def _refresh_counts(progress: CourseProgress, course: CoursePage, lessons: list[LessonPage]) -> None:
    live_ids = {lesson.pk for lesson in lessons}
    viewed = set(
        LessonView.objects.filter(user_id=progress.user_id, course=course, cycle=progress.cycle).values_list(
            "lesson_id", flat=True
        )
    )
    progress.lessons_total = len(live_ids)
    progress.lessons_done = len(viewed & live_ids)
    progress.needs_quiz = course.needs_quiz


def lesson_view_record(*, user, lesson: LessonPage, at: datetime.datetime | None = None) -> CourseProgress:
    """The person opened ``lesson``: count it for the current cycle and complete the course if this was the
    last thing missing. Opening a lesson of an expired course starts the next cycle. Refused (CourseLocked)
    when the course's prerequisites are not complete."""
    course = lesson.get_parent().specific
    _check_open(user, course)
    at = at or timezone.now()
    with transaction.atomic():
        progress = _locked_progress(user, course)
        if progress.is_expired(timezone.localdate(at)):
            _next_cycle(progress, at, RecertReason.EXPIRED)  # opening an expired course starts recertifying
        elif progress.state == ProgressState.COMPLETED:
            return progress  # re-reading a completed course changes nothing
        LessonView.objects.get_or_create(
            user=user, lesson=lesson, cycle=progress.cycle, defaults={"course": course, "viewed_at": at}
        )
        _refresh_counts(progress, course, lessons_of(course))
        if progress.state == ProgressState.NOT_STARTED:
            progress.state = ProgressState.IN_PROGRESS
            progress.started_at = at
        obligations.progressed(
            user=user, course=course, done=progress.lessons_done, total=progress.lessons_total, at=at
        )
        _complete_if_done(progress, course, user, at)
        progress.save()
    return progress


def course_quiz_passed(*, attempt: Attempt, course: CoursePage) -> CourseProgress | None:
    """A graded, passed attempt at the course's quiz (called inside the grading transaction). Counts when the
    course is open to the person and the attempt began in their current cycle."""
    user = attempt.user
    if not attempt.passed or course.quiz_id != attempt.quiz_id:
        return None
    if is_read_only(user) or missing_prerequisites(user, course):
        return None
    at = attempt.submitted_at or timezone.now()
    progress = _locked_progress(user, course)
    if progress.state == ProgressState.COMPLETED:
        return progress
    if progress.cycle_started_at and attempt.started_at < progress.cycle_started_at:
        return progress
    progress.quiz_passed = True
    progress.score = max(progress.score or Decimal(0), attempt.score or Decimal(0))
    if progress.state == ProgressState.NOT_STARTED:
        progress.state = ProgressState.IN_PROGRESS
        progress.started_at = at
    _refresh_counts(progress, course, lessons_of(course))
    _complete_if_done(progress, course, user, at, attempt=attempt)
    progress.save()
    return progress


def _complete_if_done(
    progress: CourseProgress,
    course: CoursePage,
    user,
    at: datetime.datetime,
    attempt: Attempt | None = None,
) -> CourseCompletion | None:
    """Write the completion (ledger record + row) if every lesson is opened and the quiz passed if needed."""
    if progress.state == ProgressState.COMPLETED:
        return None
    if progress.lessons_done < progress.lessons_total:
        return None
    if course.needs_quiz and not progress.quiz_passed:
        return None
    if not course.needs_quiz and progress.lessons_total == 0:
        return None
    valid_until = (
        add_months(timezone.localdate(at), course.validity_months) if course.validity_months else None
    )
    code = verification_code()
    score = progress.score if course.quiz_id and progress.quiz_passed else None
    record = record_append(
        kind=RecordKind.COMPLETION,
        actor=user,
        subject_type=course._meta.label_lower,
        page_id=course.pk,
        revision_id=course.live_revision_id,
        title=course.title,
        outcome=Outcome.COMPLETED,
        score=score,
        data={
            "cycle": progress.cycle,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "lessons": progress.lessons_total,
            "attempt_id": attempt.pk if attempt else None,
            "code": code,
            "reason": progress.reason,
        },
        occurred_at=at,
    )
    completion = CourseCompletion.objects.create(
        user=user,
        course=course,
        course_page_id=course.pk,
        revision_id=course.live_revision_id,
        course_title=course.title,
        cycle=progress.cycle,
        completed_at=record.occurred_at,
        score=score,
        valid_until=valid_until,
        code=code,
        record=record,
    )
    progress.state = ProgressState.COMPLETED
    progress.completed_at = record.occurred_at
    progress.valid_until = valid_until
    progress.last_completion = completion
    obligations.fulfilled(
        user=user, course=course, at=record.occurred_at, record=record, score=score, valid_until=valid_until
    )
    return completion


@transaction.atomic
def course_recertify_start(
    *, user, course: CoursePage, at: datetime.datetime | None = None
) -> CourseProgress:
    """Start the course again after (or shortly before) the completion expires. Past completions stay."""
    if is_read_only(user):
        raise PermissionDenied(ERR_READ_ONLY)
    at = at or timezone.now()
    progress = _locked_progress(user, course)
    today = timezone.localdate(at)
    due_soon = progress.valid_until is not None and progress.valid_until <= today + datetime.timedelta(
        days=RECERTIFY_WINDOW_DAYS
    )
    if progress.state != ProgressState.COMPLETED or not due_soon:
        raise CourseError(ERR_NOT_RECERTIFIABLE)
    _next_cycle(progress, at, RecertReason.EXPIRED)
    progress.save()
    return progress


def _next_cycle(progress: CourseProgress, at: datetime.datetime, reason: str) -> None:
    progress.cycle += 1
    progress.cycle_started_at = at
    progress.reason = reason
    progress.state = ProgressState.NOT_STARTED
    progress.lessons_done = 0
    progress.quiz_passed = False
    progress.score = None
    progress.started_at = None
    progress.completed_at = None
    progress.valid_until = None


def can_require_refresher(user, course: CoursePage) -> bool:
    return user.has_perm("quizzes.view_results") or course.permissions_for_user(user).can_publish()


@transaction.atomic
def course_refresher_require(
    *, user, course: CoursePage, reason: str, at: datetime.datetime | None = None
) -> CourseRefresher:
    """Everyone whose completion predates the course's latest version owes it again (a new cycle); their
    completions stay in their history. One refresher per published version."""
    if not can_require_refresher(user, course):
        raise PermissionDenied(ERR_REFRESHER_DENIED)
    reason = reason.strip()
    if not reason:
        raise CourseError(ERR_REFRESHER_REASON)
    at = at or timezone.now()
    first_version = course.first_published_at is None or course.first_published_at == course.last_published_at
    if (
        first_version
        or CourseRefresher.objects.filter(course=course, revision_id=course.live_revision_id).exists()
    ):
        raise CourseError(ERR_REFRESHER_VERSION)
    published = course.last_published_at or at
    due_again = CourseProgress.objects.select_for_update().filter(
        course=course, state=ProgressState.COMPLETED, completed_at__lt=published
    )
    count = due_again.update(
        cycle=F("cycle") + 1,
        cycle_started_at=at,
        reason=RecertReason.REFRESHER,
        state=ProgressState.NOT_STARTED,
        lessons_done=0,
        quiz_passed=False,
        score=None,
        started_at=None,
        completed_at=None,
        valid_until=None,
        updated_at=at,
    )
    refresher = CourseRefresher.objects.create(
        course=course,
        revision_id=course.live_revision_id,
        required_at=at,
        required_by=user,
        reason=reason,
        reopened=count,
    )
    obligations.reopened(course=course, completed_before=published, reason=reason)
    return refresher


def course_lessons_changed(course: CoursePage) -> None:
    """A lesson was published, unpublished, moved or deleted: refresh everyone's lesson counts (one UPDATE
    per distinct count; completed rows keep their completion)."""
    lessons = lessons_of(course)
    live_ids = [lesson.pk for lesson in lessons]
    CourseProgress.objects.filter(course=course).update(
        lessons_total=len(live_ids), needs_quiz=course.needs_quiz
    )
    for progress in CourseProgress.objects.filter(course=course).exclude(state=ProgressState.COMPLETED):
        done = LessonView.objects.filter(
            user_id=progress.user_id, course=course, cycle=progress.cycle, lesson_id__in=live_ids
        ).count()
        if done != progress.lessons_done:
            CourseProgress.objects.filter(pk=progress.pk).update(lessons_done=done)


def review_flags_raise(regulation: RegulationUpdatePage) -> list[CourseReviewFlag]:
    """Flag every live course with a lesson that links a procedure this regulation update affects."""
    affected = set(regulation.affected_procedures.values_list("procedure_id", flat=True))
    if not affected:
        return []
    taught: dict[int, set[int]] = {}
    for lesson in LessonPage.objects.live().specific():
        hits = affected & set(lesson.procedure_ids())
        if hits:
            taught.setdefault(lesson.get_parent().pk, set()).update(hits)
    already = set(
        CourseReviewFlag.objects.filter(regulation=regulation, cleared_at__isnull=True).values_list(
            "course_id", flat=True
        )
    )
    flags = []
    for course in CoursePage.objects.live().filter(pk__in=set(taught) - already):
        flags.append(
            CourseReviewFlag.objects.create(
                course=course, regulation=regulation, procedure_ids=sorted(taught[course.pk])
            )
        )
    return flags


def review_flags_clear(course: CoursePage, *, user, note: str) -> int:
    return CourseReviewFlag.objects.filter(course=course, cleared_at__isnull=True).update(
        cleared_at=timezone.now(), cleared_by=user, cleared_note=note
    )
