"""Who did what in which course: lesson views, progress per person × course, completions (evidence),
refreshers
and review flags."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pages import CoursePage, LessonPage


class ProgressState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class RecertReason(models.TextChoices):
    NONE = "", _("First time")
    EXPIRED = "expired", _("Completion expired")
    REFRESHER = "refresher", _("Refresher required")


class LessonView(models.Model):
    """A person opened a lesson in a cycle of their course (the first opening counts; no timer)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_views")
    lesson = models.ForeignKey(LessonPage, on_delete=models.CASCADE, related_name="views")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="lesson_views")
    cycle = models.PositiveSmallIntegerField(default=1)
    viewed_at = models.DateTimeField(_("first opened"))

    class Meta:
        verbose_name = _("lesson view")
        verbose_name_plural = _("lesson views")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson", "cycle"], name="courses_lessonview_once")
        ]
        indexes = [models.Index(fields=["user", "course", "cycle"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id} · {self.cycle}"


class CourseProgress(models.Model):
    """One person's standing in one course, kept current on every event (never recomputed by a page).

    ``cycle`` counts attempts at the course: a recertification or a refresher starts the next one; lesson
    views
    and quiz passes count only within the current cycle. Expiry needs no job: a completed row whose
    ``valid_until`` has passed *is* expired (``is_expired``, ``expired_q``).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="progress")
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    cycle_started_at = models.DateTimeField(_("cycle started"), null=True, blank=True)
    reason = models.CharField(
        _("why this cycle"), max_length=12, choices=RecertReason.choices, default="", blank=True
    )
    state = models.CharField(
        _("state"), max_length=12, choices=ProgressState.choices, default=ProgressState.NOT_STARTED
    )
    lessons_done = models.PositiveSmallIntegerField(_("lessons done"), default=0)
    lessons_total = models.PositiveSmallIntegerField(_("lessons"), default=0)
    needs_quiz = models.BooleanField(_("quiz required"), default=False)
    quiz_passed = models.BooleanField(_("quiz passed"), default=False)
    score = models.DecimalField(_("score %"), max_digits=5, decimal_places=2, null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    last_completion = models.ForeignKey(
        "courses.CourseCompletion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("course progress")
        verbose_name_plural = _("course progress")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="courses_progress_once")]
        indexes = [models.Index(fields=["course", "state"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course_id} · {self.state}"

    @staticmethod
    def expired_q(today: datetime.date | None = None) -> models.Q:
        return models.Q(state=ProgressState.COMPLETED, valid_until__lt=today or timezone.localdate())

    def is_expired(self, today: datetime.date | None = None) -> bool:
        return (
            self.state == ProgressState.COMPLETED
            and self.valid_until is not None
            and self.valid_until < (today or timezone.localdate())
        )

    @property
    def percent(self) -> int:
        if self.state == ProgressState.COMPLETED:
            return 100
        steps = self.lessons_total + self.needs_quiz
        done = min(self.lessons_done, self.lessons_total) + (self.needs_quiz and self.quiz_passed)
        return min(99, round(100 * done / steps)) if steps else 0


class CompletionQuerySet(models.QuerySet):
    """Completions are evidence: rows are added, never changed or removed (a deleted course keeps them)."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Course completions are append-only.")

    def delete(self):
        raise PermissionError("Course completions are append-only.")


class CourseCompletion(models.Model):
    """A person completed a course (one cycle of it). Its ledger record is the evidence; this row is what the
    pages read, checked against the record by ``verify_records`` (courses/ledger_checks.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="course_completions"
    )
    course = models.ForeignKey(
        CoursePage, on_delete=models.SET_NULL, null=True, blank=True, related_name="completions"
    )
    course_page_id = models.PositiveBigIntegerField(_("course page id"))
    revision_id = models.PositiveBigIntegerField(_("course revision id"), null=True, blank=True)
    course_title = models.CharField(_("course"), max_length=255)
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    completed_at = models.DateTimeField(_("completed"))
    score = models.DecimalField(_("score %"), max_digits=5, decimal_places=2, null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    record = models.OneToOneField("ledger.Record", on_delete=models.PROTECT, related_name="+")

    objects = CompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at"]
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_page_id", "cycle"], name="courses_one_completion_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_title} · {self.user_id} · {self.completed_at:%Y-%m-%d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Course completions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any):
        raise PermissionError("Course completions are append-only.")

    def is_expired(self, today: datetime.date | None = None) -> bool:
        return self.valid_until is not None and self.valid_until < (today or timezone.localdate())


class CourseRefresher(models.Model):
    """A trainer's "refresher required" on a course version: completions before it are due again."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="refreshers")
    revision_id = models.PositiveBigIntegerField(_("course revision id"), null=True, blank=True)
    required_at = models.DateTimeField(_("required from"))
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("why"))
    reopened = models.PositiveIntegerField(_("people due again"), default=0)

    class Meta:
        ordering = ["-required_at"]
        verbose_name = _("refresher")
        verbose_name_plural = _("refreshers")

    def __str__(self) -> str:
        return f"{self.course_id} · {self.required_at:%Y-%m-%d}"


class CourseReviewFlag(models.Model):
    """A course flagged for review because a regulation update affects a procedure one of its lessons teaches.
    Cleared by the course's next published version or by its owner's "reviewed, no change"."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="review_flags")
    regulation = models.ForeignKey(
        "kb.RegulationUpdatePage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    procedure_ids = models.JSONField(_("procedures taught"), default=list)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_note = models.TextField(_("how it was cleared"), blank=True)

    class Meta:
        verbose_name = _("course review flag")
        verbose_name_plural = _("course review flags")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "regulation"],
                condition=models.Q(cleared_at__isnull=True),
                name="courses_one_open_flag_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.course_id} ← {self.regulation_id}"
