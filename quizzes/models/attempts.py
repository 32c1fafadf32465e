"""Attempts: one person's sitting of a quiz, its frozen selection (slots) and its result.

The rules that grade an attempt (pass mark, points, option order, question versions) are frozen at start,
so changing the quiz later never changes an attempt. A graded attempt is final; its ledger record is the
evidence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bank import QuestionVersion
from .quizzes import Quiz


class AttemptState(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    OVERDUE = "overdue", _("Time ran out")
    GRADED = "graded", _("Graded")


class Attempt(models.Model):
    quiz = models.ForeignKey(Quiz, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("quiz"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
        verbose_name=_("person"),
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    for_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken for"),
    )
    return_url = models.CharField(_("return to"), max_length=500, blank=True)  # checked at start
    state = models.CharField(
        _("state"), max_length=20, choices=AttemptState.choices, default=AttemptState.IN_PROGRESS
    )
    timed_out = models.BooleanField(_("time ran out"), default=False)
    rules = models.JSONField(_("rules at start"), default=dict)  # pass mark, method, policy, quiz version…
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    seq = models.PositiveIntegerField(default=0)  # the last accepted save's sequence number
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField(_("out of"), max_digits=8, decimal_places=2, default=0)
    score = models.DecimalField(_("score %"), max_digits=5, decimal_places=2, null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True)
    record = models.OneToOneField(
        "ledger.Record", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        default_permissions = ("view",)
        constraints = [
            models.UniqueConstraint(fields=["quiz", "user", "number"], name="quizzes_attempt_unique_number")
        ]
        indexes = [
            models.Index(fields=["user", "quiz", "state"]),
            models.Index(fields=["state", "deadline"]),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} #{self.number} ({self.user})"

    @property
    def is_open(self) -> bool:
        return self.state == AttemptState.IN_PROGRESS

    @property
    def is_graded(self) -> bool:
        return self.state == AttemptState.GRADED


class AttemptSlot(models.Model):
    """One question of an attempt: its version, points, frozen option order, and the saved answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="slots")
    points = models.DecimalField(max_digits=5, decimal_places=2)
    order = models.JSONField(default=list)  # option keys (or matching choice keys) in the order shown
    answer = models.JSONField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    fraction = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)  # 0..1 when graded

    class Meta:
        ordering = ["attempt_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="quizzes_slot_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.position}"

    @property
    def awarded(self):
        return None if self.fraction is None else (self.fraction * self.points).quantize(self.points)
