"""Procedure standards: procedures index → duty-area category → procedure."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from kb.blocks import RICH_FEATURES, ResponsibilityBlock, StepBlock
from website.people.models import Department, Position, StaffProfile


class ProceduresIndexPage(Page):
    """程序標準: the ten duty areas."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_FEATURES)

    parent_page_types = ["home.HomePage"]
    subpage_types = ["kb.ProcedureCategoryPage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("procedures index")
        verbose_name_plural = _("procedures indexes")

    def get_context(self, request, *args, **kwargs):
        from kb.selectors import categories_with_counts

        context = super().get_context(request, *args, **kwargs)
        context["categories"] = categories_with_counts(self)
        return context


class ProcedureCategoryPage(Page):
    """One of the ten duty areas (核心目標與定位 … 操作性與靈活性)."""

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

    def get_context(self, request, *args, **kwargs):
        from kb.selectors import procedures_in

        context = super().get_context(request, *args, **kwargs)
        context["procedures"] = procedures_in(self, user=request.user)
        return context


class ProcedureTag(TaggedItemBase):
    content_object = ParentalKey("kb.ProcedurePage", on_delete=models.CASCADE, related_name="tagged_items")


class ProcedurePageForm(WagtailAdminPageForm):
    """Each new version needs its own "what changed" text, and versions never go back in time."""

    def clean(self):
        cleaned = super().clean()
        page = self.instance
        if page.pk is None:
            return cleaned
        from kb.selectors import latest_version

        last = latest_version(page)
        if last is None:
            return cleaned
        summary = (cleaned.get("change_summary") or "").strip()
        if summary and summary == last.change_summary.strip():
            self.add_error(
                "change_summary",
                _("Describe what changed in this version (the text is the same as version %(v)s).")
                % {"v": last.label},
            )
        effective = cleaned.get("effective_date")
        if effective and effective < last.effective_date:
            self.add_error(
                "effective_date",
                _("A new version cannot take effect before the current one (%(date)s).")
                % {"date": last.effective_date.isoformat()},
            )
        return cleaned


class ProcedurePage(RoutablePageMixin, Page):
    """A written service standard or operating procedure, versioned and acknowledged."""

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("e.g. SOP-CS-003"))
    summary = models.TextField(_("summary"))
    purpose = RichTextField(_("purpose"), features=RICH_FEATURES)
    scope = RichTextField(_("scope"), features=RICH_FEATURES)
    responsibilities = StreamField([("responsibility", ResponsibilityBlock())], verbose_name=_("responsibilities"))
    steps = StreamField([("step", StepBlock())], verbose_name=_("steps"))
    content_owner = models.ForeignKey(
        StaffProfile, on_delete=models.SET_NULL, null=True, related_name="owned_procedures", verbose_name=_("owner")
    )
    owning_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("owning department")
    )
    effective_date = models.DateField(_("effective date"), default=datetime.date.today)
    review_interval_months = models.PositiveSmallIntegerField(_("review every (months)"), default=12)
    audience_all = models.BooleanField(_("all staff must acknowledge"), default=True)
    audience_departments = ParentalManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience departments")
    )
    audience_positions = ParentalManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("audience positions")
    )
    ack_due_days = models.PositiveSmallIntegerField(_("acknowledge within (days)"), default=14)
    tags = ClusterTaggableManager(through=ProcedureTag, blank=True, verbose_name=_("tags"))
    change_summary = models.TextField(
        _("what changed in this version"),
        help_text=_("Shown to staff in the version history. Required for every version."),
    )
    is_minor_change = models.BooleanField(
        _("minor change"),
        default=False,
        help_text=_("Typo or formatting only: the version number stays and staff need not acknowledge again."),
    )

    parent_page_types = ["kb.ProcedureCategoryPage"]
    subpage_types: list[str] = []
    base_form_class = ProcedurePageForm

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
        MultiFieldPanel(
            [
                FieldPanel("audience_all"),
                FieldPanel("audience_departments"),
                FieldPanel("audience_positions"),
                FieldPanel("ack_due_days"),
            ],
            heading=_("Who must acknowledge"),
            help_text=_(
                "Untick 'all staff' and choose departments and/or positions; when both are chosen a person "
                "must match both."
            ),
        ),
        MultiFieldPanel(
            [FieldPanel("change_summary"), FieldPanel("is_minor_change")],
            heading=_("This version"),
        ),
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

    @path("")
    def current_version(self, request):
        from kb import views

        return views.procedure_current(self, request)

    @re_path(r"^v/(?P<label>\d+(?:\.\d+)?)/$")
    def specific_version(self, request, label):
        from kb import views

        return views.procedure_version(self, request, label)

    @path("versions/")
    def version_history(self, request):
        from kb import views

        return views.procedure_history(self, request)

    @path("compare/")
    def compare_versions(self, request):
        from kb import views

        return views.procedure_compare(self, request)

    @path("acknowledge/")
    def acknowledge(self, request):
        from kb import views

        return views.procedure_acknowledge_view(self, request)

    def in_audience(self, profile: StaffProfile | None) -> bool:
        """Whether a person must acknowledge this procedure (uses prefetched audience lists when present)."""
        if profile is None or not profile.is_active:
            return False
        if self.audience_all:
            return True
        departments = {d.pk for d in self.audience_departments.all()}
        positions = {p.pk for p in self.audience_positions.all()}
        if departments and profile.department_id not in departments:
            return False
        if positions and profile.position_id not in positions:
            return False
        return bool(departments or positions)


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
