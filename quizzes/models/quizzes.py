"""Quizzes: fixed questions and/or random draws from a category, with their rules. A Wagtail snippet, so kb
and courses pick a quiz with the snippet chooser."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from .bank import Question, QuestionCategory


class GradingMethod(models.TextChoices):
    HIGHEST = "highest", _("Highest attempt")
    LAST = "last", _("Last attempt")
    FIRST = "first", _("First attempt")
    AVERAGE = "average", _("Average of attempts")


class ReviewPolicy(models.TextChoices):
    NEVER = "never", _("Never")
    AFTER_EACH = "after_each", _("After each attempt")
    AFTER_PASSING = "after_passing", _("After passing")
    AFTER_LAST = "after_last", _("After the last attempt")


class Layout(models.TextChoices):
    ALL = "all", _("All questions on one page")
    ONE = "one", _("One question per page")


class Quiz(ClusterableModel):
    """A quiz's questions and rules. ``version`` rises on every save; attempts and ledger records name it."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Shown on the start page."))
    is_active = models.BooleanField(_("open to learners"), default=True)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    pass_mark = models.DecimalField(
        _("pass mark %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, validators=[MaxValueValidator(100)], help_text=_("0 = unlimited")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), default=0, validators=[MaxValueValidator(600)], help_text=_("0 = none")
    )
    grading_method = models.CharField(
        _("grade that counts"), max_length=10, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    review_policy = models.CharField(
        _("show correct answers"),
        max_length=20,
        choices=ReviewPolicy.choices,
        default=ReviewPolicy.AFTER_EACH,
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    avoid_repeats = models.BooleanField(
        _("avoid last attempt's questions"),
        default=True,
        help_text=_(
            "Random draws skip questions the person saw in their last attempt, where the pool allows."
        ),
    )
    layout = models.CharField(_("layout"), max_length=5, choices=Layout.choices, default=Layout.ALL)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        MultiFieldPanel([FieldPanel("title"), FieldPanel("description")], heading=_("Quiz")),
        InlinePanel("items", label=_("Question or random draw"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("max_attempts")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("grading_method")]),
                FieldRowPanel([FieldPanel("review_policy"), FieldPanel("layout")]),
                FieldRowPanel(
                    [
                        FieldPanel("shuffle_questions"),
                        FieldPanel("shuffle_options"),
                        FieldPanel("avoid_repeats"),
                    ]
                ),
            ],
            heading=_("Rules"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("is_active"),
                FieldRowPanel([FieldPanel("available_from"), FieldPanel("available_until")]),
            ],
            heading=_("Availability"),
        ),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        permissions = [("view_results", _("Can see quiz attempts and statistics"))]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            self.version = F("version") + 1
            super().save(*args, **kwargs)
            self.refresh_from_db(fields=["version"])
        else:
            super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.available_from and self.available_until and self.available_until <= self.available_from:
            raise ValidationError({"available_until": _("The end must be after the start.")})

    def question_count(self) -> int:
        """How many questions an attempt has (fixed ones plus draws; uses prefetched items if any)."""
        return sum(item.count if item.category_id else 1 for item in self.items.all())

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.is_active
            and (self.available_from is None or self.available_from <= now)
            and (self.available_until is None or now < self.available_until)
        )


class QuizItem(Orderable):
    """One fixed question, or a random draw of ``count`` questions from a category (optionally by tag)."""

    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        Question,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fixed question"),
    )
    category = models.ForeignKey(
        QuestionCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("or draw from category"),
    )
    include_subcategories = models.BooleanField(_("include subcategories"), default=True)
    tag = models.CharField(_("only questions tagged"), max_length=100, blank=True)
    count = models.PositiveSmallIntegerField(
        _("how many to draw"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    points = models.DecimalField(
        _("points each"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    panels = [
        FieldPanel("question"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("include_subcategories")]),
        FieldRowPanel([FieldPanel("tag"), FieldPanel("count"), FieldPanel("points")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("quiz item")
        verbose_name_plural = _("quiz items")

    def __str__(self) -> str:
        return str(self.question or self.category)

    def clean(self) -> None:
        if bool(self.question_id) == bool(self.category_id):
            raise ValidationError(_("Choose either a fixed question or a category to draw from."))
        self.tag = (self.tag or "").strip()
