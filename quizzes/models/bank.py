"""The question bank: categories (a tree by materialised path), questions with options, and versions.

A ``QuestionVersion`` is an immutable JSON snapshot of everything grading and review need. Attempts point at
versions, so editing a question never changes a past attempt.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.fields import RichTextField
from wagtail.models import Orderable

# Rich text allowed in questions (imports are cleaned to the same list: quizzes.text.clean_html).
TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]
PATH_SEPARATOR = "/"

DUTY_AREAS = [
    (1, _("1 Core aims")),
    (2, _("2 Customer relations")),
    (3, _("3 Problems and emergencies")),
    (4, _("4 Process and innovation")),
    (5, _("5 Team and training")),
    (6, _("6 Cross-department work")),
    (7, _("7 Compliance and risk")),
    (8, _("8 Continuous learning")),
    (9, _("9 Putting duties into practice")),
    (10, _("10 Operability and flexibility")),
]


class QuestionCategory(models.Model):
    """A folder of the bank, e.g. 反洗錢/可疑交易. ``path`` is the names from the root, kept by ``save``."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    path = models.CharField(_("path"), max_length=1000, unique=True, editable=False)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("parent"), FieldPanel("description")]

    class Meta:
        ordering = ["path"]
        verbose_name = _("question category")
        verbose_name_plural = _("question categories")

    def __str__(self) -> str:
        return self.path or self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        self.path = self.compute_path()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:  # renamed or moved: the subtree follows
                for child in self.children.all():
                    child.save()

    @property
    def depth(self) -> int:
        return self.path.count(PATH_SEPARATOR)

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        if PATH_SEPARATOR in self.name:
            raise ValidationError({"name": _("A category name cannot contain “/”.")})
        node = self.parent
        while node is not None:
            if self.pk and node.pk == self.pk:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            node = node.parent
        path = self.compute_path()
        if QuestionCategory.objects.filter(path=path).exclude(pk=self.pk).exists():
            raise ValidationError({"name": _("There is already a category %(path)s.") % {"path": path}})

    def compute_path(self) -> str:
        return f"{self.parent.path}{PATH_SEPARATOR}{self.name}" if self.parent_id else self.name

    def subtree(self) -> models.QuerySet[QuestionCategory]:
        """This category and every category below it (one query)."""
        return QuestionCategory.objects.filter(
            models.Q(pk=self.pk) | models.Q(path__startswith=self.path + PATH_SEPARATOR)
        )


class QuestionType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True or false")
    SHORT = "short", _("Short answer")
    MATCHING = "matching", _("Matching")


class MultipleGrading(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PARTIAL = "partial", _("Partial credit by option weights")


class QuestionTag(TaggedItemBase):
    content_object = ParentalKey("quizzes.Question", on_delete=models.CASCADE, related_name="tagged_items")


class Question(ClusterableModel):
    """The editable question. What an attempt sees is its ``QuestionVersion`` at the time."""

    category = models.ForeignKey(
        QuestionCategory, on_delete=models.PROTECT, related_name="questions", verbose_name=_("category")
    )
    qtype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("A short name for the bank listing (not shown to learners).")
    )
    text = RichTextField(_("question"), features=TEXT_FEATURES)
    explanation = RichTextField(
        _("explanation"),
        features=TEXT_FEATURES,
        blank=True,
        help_text=_("Shown with the correct answer when the quiz's review policy allows."),
    )
    multiple_grading = models.CharField(
        _("multiple choice grading"),
        max_length=20,
        choices=MultipleGrading.choices,
        default=MultipleGrading.ALL_OR_NOTHING,
    )
    true_false_answer = models.BooleanField(
        _("correct answer (true/false)"), null=True, blank=True, help_text=_("For true/false questions.")
    )
    duty_area = models.PositiveSmallIntegerField(_("duty area"), choices=DUTY_AREAS, null=True, blank=True)
    tested_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page it tests"),
        help_text=_("The procedure or lesson this question checks understanding of."),
    )
    tests_step = models.CharField(
        _("step it tests"), max_length=100, blank=True, help_text=_("e.g. 第 3 步：登記個案")
    )
    tags = ClusterTaggableManager(through=QuestionTag, blank=True, verbose_name=_("tags"))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive questions are never drawn for new attempts.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("category"), FieldPanel("qtype")]),
                FieldPanel("name"),
                FieldPanel("text"),
            ],
            heading=_("Question"),
        ),
        MultiFieldPanel(
            [
                InlinePanel("options", label=_("Option / accepted answer / pair")),
                FieldRowPanel([FieldPanel("multiple_grading"), FieldPanel("true_false_answer")]),
                FieldPanel("explanation"),
            ],
            heading=_("Answers"),
            help_text=_(
                "Single and multiple choice: one row per option, weight 100 for a correct option (partial "
                "credit: positive weights add up to 100, negative weights are penalties). Short answer: one "
                "row per accepted answer. Matching: the prompt in “text”, its match in “matches”; a row "
                "with only “matches” is a distractor. True/false: no rows, set the correct answer."
            ),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("duty_area"), FieldPanel("tests_step")]),
                PageChooserPanel("tested_page"),
                FieldPanel("tags"),
                FieldPanel("is_active"),
            ],
            heading=_("What it tests"),
        ),
    ]

    class Meta:
        ordering = ["category__path", "name", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        permissions = [("import_questions", _("Can import questions"))]
        indexes = [models.Index(fields=["category", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.qtype == QuestionType.TRUE_FALSE and self.true_false_answer is None:
            raise ValidationError({"true_false_answer": _("Choose whether the statement is true or false.")})


class QuestionOption(Orderable):
    """An option (choice questions), an accepted answer (short answer) or a pair (matching)."""

    question = ParentalKey(Question, on_delete=models.CASCADE, related_name="options")
    text = models.TextField(_("text"), blank=True)
    match_text = models.CharField(_("matches"), max_length=500, blank=True)
    weight = models.DecimalField(
        _("weight %"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(-100), MaxValueValidator(100)],
        help_text=_("100 = fully correct, 0 = wrong, negative = penalty."),
    )
    feedback = models.TextField(_("feedback"), blank=True)

    panels = [
        FieldPanel("text"),
        FieldRowPanel([FieldPanel("match_text"), FieldPanel("weight")]),
        FieldPanel("feedback"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text[:60]


def snapshot_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


class QuestionVersion(models.Model):
    """An immutable snapshot of a question's content (``data``), numbered 1, 2, … per question."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    data = models.JSONField(_("content"))
    content_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["question_id", "-number"]
        verbose_name = _("question version")
        verbose_name_plural = _("question versions")
        constraints = [
            models.UniqueConstraint(fields=["question", "number"], name="quizzes_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValidationError("Question versions are immutable: edit the question instead.")
        super().save(*args, **kwargs)

    @property
    def qtype(self) -> str:
        return self.data["type"]
