"""Procedure standards: procedures index → duty-area category → procedure."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
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
from wagtail.contrib.routable_page.models import path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.pages import RegisteredViewsMixin, SectionIndexPage
from kb.blocks import RICH_FEATURES, ResponsibilityBlock, StepBlock
from kb.models.acknowledged import AcknowledgedPage, text_lines
from kb.models.workflows import PublishedByApproval
from people.models import Department, StaffProfile


class ProceduresIndexPage(SectionIndexPage):
    """程序標準: the ten duty areas."""

    subpage_types = ["kb.ProcedureCategoryPage"]

    class Meta:
        verbose_name = _("procedures index")
        verbose_name_plural = _("procedure indexes")


class ProcedureCategoryPage(PublishedByApproval, RegisteredViewsMixin, Page):
    """One of the ten duty areas (核心目標與定位 … 操作性與靈活性)."""

    children_publish_by_approval = True  # procedures are created as drafts and go live by approval

    number = models.PositiveSmallIntegerField(_("duty area number"), unique=True)
    summary = models.TextField(_("summary"), blank=True)

    parent_page_types = ["kb.ProceduresIndexPage"]
    subpage_types = ["kb.ProcedurePage"]
    content_panels = [*Page.content_panels, FieldRowPanel([FieldPanel("number")]), FieldPanel("summary")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        verbose_name = _("duty area")
        verbose_name_plural = _("duty areas")
        ordering = ["number"]


class ProcedureTag(TaggedItemBase):
    content_object = ParentalKey("kb.ProcedurePage", on_delete=models.CASCADE, related_name="tagged_items")


class ProcedurePage(AcknowledgedPage):
    """A written service standard or operating procedure, versioned and acknowledged."""

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("e.g. SOP-CS-003"))
    summary = models.TextField(_("summary"))
    purpose = RichTextField(_("purpose"), features=RICH_FEATURES)
    scope = RichTextField(_("scope"), features=RICH_FEATURES)
    responsibilities = StreamField(
        [("responsibility", ResponsibilityBlock())], verbose_name=_("responsibilities")
    )
    steps = StreamField([("step", StepBlock())], verbose_name=_("steps"))
    content_owner = models.ForeignKey(
        StaffProfile,
        on_delete=models.SET_NULL,
        null=True,
        related_name="owned_procedures",
        verbose_name=_("owner"),
    )
    owning_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("owning department")
    )
    review_interval_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    tags = ClusterTaggableManager(through=ProcedureTag, blank=True, verbose_name=_("tags"))

    parent_page_types = ["kb.ProcedureCategoryPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("code", boost=3),
        index.AutocompleteField("code"),
        index.SearchField("summary", boost=2),
        index.SearchField("purpose"),
        index.SearchField("scope"),
        index.SearchField("steps"),
        index.SearchField("responsibilities"),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("effective_date"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("code")]),
        FieldPanel("summary"),
        FieldPanel("purpose"),
        FieldPanel("scope"),
        FieldPanel("responsibilities"),
        FieldPanel("steps"),
        InlinePanel("attachments", label=_("Forms and attachments")),
        InlinePanel("related_links", label=_("Related procedures and regulations")),
        FieldPanel("tags"),
    ]
    governance_panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("content_owner"), FieldPanel("owning_department")]),
                FieldRowPanel([FieldPanel("effective_date"), FieldPanel("review_interval_months")]),
            ],
            heading=_("Ownership and review"),
        ),
        *AcknowledgedPage.audience_panels,
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(governance_panels, heading=_("Governance")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        super().clean()
        if self.review_interval_months < 1 or self.review_interval_months > 60:
            raise ValidationError({"review_interval_months": _("Choose between 1 and 60 months.")})

    compare_fields = ("summary", "purpose", "scope", "responsibilities")

    @path("review/")
    def record_review(self, request):
        return self.serve_view(request, "review")

    def plain_text_lines(self, *, labels: bool = True) -> list[str]:
        """Generic fields, then each step as "n. title (role; time limit)", its text and its note."""
        lines = super().plain_text_lines(labels=labels)
        if labels:
            lines.append(str(self._meta.get_field("steps").verbose_name))
        for n, block in enumerate(self.steps, start=1):
            step = block.value
            lines.append(f"{n}. {step['title']}（{step['responsible_role']}；{step['time_limit'] or '—'}）")
            lines += text_lines(step["instructions"])
            if step["note"]:
                lines.append(f"※ {step['note']}")
        return lines


class ProcedureAttachment(Orderable):
    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    panels = [FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class ProcedureRelatedLink(Orderable):
    page = ParentalKey(ProcedurePage, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("related page")
    )
    panels = [PageChooserPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("related page")
        verbose_name_plural = _("related pages")
