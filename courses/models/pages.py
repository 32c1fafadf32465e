"""Training content: courses index → course → lesson (ordered), and learning paths (ordered courses)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.pages import RegisteredViewsMixin, SectionIndexPage
from courses.blocks import LESSON_BLOCKS, RICH_FEATURES
from kb.models.acknowledged import text_lines
from people.audience import AudienceFields
from people.models import Department, Position

DUTY_AREAS = [
    (1, "1. 核心目標與定位"),
    (2, "2. 客戶關係維護與溝通"),
    (3, "3. 問題解決與應急處理"),
    (4, "4. 流程優化與服務創新"),
    (5, "5. 團隊管理與培訓"),
    (6, "6. 內部協作與跨部門聯動"),
    (7, "7. 合規與風險管理"),
    (8, "8. 持續學習與自我提升"),
    (9, "9. 崗位職責的落實流程"),
    (10, "10. 操作性與靈活性"),
]


class CoursesIndexPage(SectionIndexPage):
    """培訓課程: every course and learning path."""

    subpage_types = ["courses.CoursePage", "courses.LearningPathPage"]

    class Meta:
        verbose_name = _("courses index")
        verbose_name_plural = _("courses indexes")


class CourseTag(TaggedItemBase):
    content_object = ParentalKey("courses.CoursePage", on_delete=models.CASCADE, related_name="tagged_items")


class CoursePage(RegisteredViewsMixin, RoutablePageMixin, Page):
    """A course: lessons (its children, in tree order), then an optional quiz; completion may expire."""

    audience_fields = AudienceFields(
        lists={"departments": "audience_departments", "positions": "audience_positions"}
    )

    summary = models.TextField(_("summary"))
    objectives = RichTextField(_("learning objectives"), features=RICH_FEATURES, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=30)
    duty_area = models.PositiveSmallIntegerField(_("duty area"), choices=DUTY_AREAS, null=True, blank=True)
    tags = ClusterTaggableManager(through=CourseTag, blank=True, verbose_name=_("tags"))
    audience_all = models.BooleanField(_("for all staff"), default=True)
    audience_departments = ParentalManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience departments")
    )
    audience_positions = ParentalManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("audience positions")
    )
    prerequisites = ParentalManyToManyField(
        "self",
        blank=True,
        symmetrical=False,
        related_name="required_by",
        verbose_name=_("prerequisites"),
        help_text=_("Courses a person must have completed before starting this one."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("Leave empty if a completion never expires (e.g. 12 for annual compliance training)."),
    )
    quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("end-of-course quiz"),
    )
    quiz_required = models.BooleanField(
        _("passing the quiz is required"),
        default=True,
        help_text=_("The quiz's own pass mark applies."),
    )
    certificate = models.BooleanField(_("certificate on completion"), default=True)
    content_owner = models.ForeignKey(
        "people.StaffProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_courses",
        verbose_name=_("owner"),
        help_text=_("Reviews the course when a regulation it teaches changes."),
    )

    parent_page_types = ["courses.CoursesIndexPage"]
    subpage_types = ["courses.LessonPage"]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("objectives"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("duty_area"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("objectives"),
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("duty_area")]),
        FieldPanel("tags"),
    ]
    completion_panels = [
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldRowPanel([FieldPanel("quiz"), FieldPanel("quiz_required")]),
                FieldRowPanel([FieldPanel("validity_months"), FieldPanel("certificate")]),
                FieldPanel("content_owner"),
            ],
            heading=_("Completion"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("audience_all"),
                FieldPanel("audience_departments"),
                FieldPanel("audience_positions"),
            ],
            heading=_("Audience"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(completion_panels, heading=_("Completion and audience")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if self.validity_months is not None and not 1 <= self.validity_months <= 120:
            raise ValidationError({"validity_months": _("Choose between 1 and 120 months, or leave empty.")})

    def plain_text_lines(self, *, labels: bool = False) -> list[str]:
        """The text search snippets are cut from."""
        return [self.summary, *text_lines(self.objectives)]

    @property
    def needs_quiz(self) -> bool:
        return bool(self.quiz_id and self.quiz_required)

    @path("")
    def course_home(self, request):
        return self.serve_view(request, "home")

    @path("recertify/")
    def recertify(self, request):
        return self.serve_view(request, "recertify")

    @path("refresher/")
    def refresher(self, request):
        return self.serve_view(request, "refresher")


class LessonPage(RegisteredViewsMixin, RoutablePageMixin, Page):
    """One lesson of a course; its place among its siblings is its order."""

    summary = models.CharField(_("summary"), max_length=255, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated minutes"), default=10)
    body = StreamField(LESSON_BLOCKS, verbose_name=_("content"))

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary", boost=2),
        index.SearchField("body"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("summary"), FieldPanel("estimated_minutes")]),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def plain_text_lines(self, *, labels: bool = False) -> list[str]:
        """The text search snippets are cut from."""
        return [self.summary, *text_lines(self.body)]

    def procedure_ids(self) -> list[int]:
        """The procedures this lesson links (the procedure blocks)."""
        return [
            block.value["procedure"].pk
            for block in self.body
            if block.block_type == "procedure" and block.value["procedure"]
        ]

    @path("")
    def lesson_home(self, request):
        return self.serve_view(request, "home")

    @path("done/")
    def mark_done(self, request):
        return self.serve_view(request, "done")


class LearningPathPage(RegisteredViewsMixin, Page):
    """An ordered set of courses (e.g. onboarding): each course needs the one before it."""

    audience_fields = AudienceFields(
        lists={"departments": "audience_departments", "positions": "audience_positions"}
    )

    summary = models.TextField(_("summary"))
    audience_all = models.BooleanField(_("for all staff"), default=False)
    audience_departments = ParentalManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience departments")
    )
    audience_positions = ParentalManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("audience positions")
    )

    parent_page_types = ["courses.CoursesIndexPage"]
    subpage_types: list[str] = []
    search_fields = [*Page.search_fields, index.SearchField("summary", boost=2)]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        InlinePanel("steps", label=_("Courses, in order"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("audience_all"),
                FieldPanel("audience_departments"),
                FieldPanel("audience_positions"),
            ],
            heading=_("Audience"),
        ),
    ]

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")


class LearningPathStep(Orderable):
    path = ParentalKey(LearningPathPage, on_delete=models.CASCADE, related_name="steps")
    course = models.ForeignKey(
        CoursePage, on_delete=models.CASCADE, related_name="path_steps", verbose_name=_("course")
    )
    due_days = models.PositiveSmallIntegerField(
        _("due (days after hire date)"),
        null=True,
        blank=True,
        help_text=_("For new staff: complete within this many days of their start date."),
    )
    panels = [PageChooserPanel("course", "courses.CoursePage"), FieldPanel("due_days")]

    class Meta(Orderable.Meta):
        verbose_name = _("course in the path")
        verbose_name_plural = _("courses in the path")
        constraints = [models.UniqueConstraint(fields=["path", "course"], name="courses_path_course_once")]
