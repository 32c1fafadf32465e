"""Regulation-update feed: issuers, the feed page and each update (with the procedures it affects)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PageChooserPanel,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.pages import SectionIndexPage
from kb.blocks import RICH_FEATURES
from kb.models.acknowledged import AcknowledgedPage


class Issuer(index.Indexed, models.Model):
    """Who issued a rule: an external regulator or an internal authority such as the compliance department."""

    EXTERNAL = "external"
    INTERNAL = "internal"
    KINDS = [(EXTERNAL, _("External regulator")), (INTERNAL, _("Internal (the bank)"))]

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    is_sample = models.BooleanField(
        _("sample (fictional)"),
        default=False,
        help_text=_("Demo data: a made-up authority, marked as a sample."),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("short_name"),
    ]

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("issuer")
        verbose_name_plural = _("issuers")

    def __str__(self) -> str:
        return self.name


class RegulationIndexPage(SectionIndexPage):
    """法規動態: the feed of regulation updates, newest first, with filters and private RSS/Atom feeds."""

    subpage_types = ["kb.RegulationUpdatePage"]

    class Meta:
        verbose_name = _("regulation feed")
        verbose_name_plural = _("regulation feeds")


class RegulationTag(TaggedItemBase):
    content_object = ParentalKey(
        "kb.RegulationUpdatePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ObligationBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Obligation"))

    class Meta:
        icon = "tick"
        label = _("Obligation")


class RegulationUpdatePage(AcknowledgedPage):
    """A new rule from a regulator or the bank: what it obliges, when, which procedures it touches, who must
    read it."""

    # Compliance officers publish regulation updates directly (docs/roles/compliance-officer.md): they are
    # the approvers of this section. Procedures alone go live only by approval.
    publishes_by_approval = False

    HIGH, MEDIUM, LOW = "high", "medium", "low"
    IMPACTS = [(HIGH, _("High")), (MEDIUM, _("Medium")), (LOW, _("Low"))]
    IN_FORCE, UPCOMING, SUPERSEDED, REPEALED = "in_force", "upcoming", "superseded", "repealed"
    STATUSES = [
        (IN_FORCE, _("In force")),
        (UPCOMING, _("Not yet in force")),
        (SUPERSEDED, _("Superseded")),
        (REPEALED, _("Repealed")),
    ]

    issuer = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="updates", verbose_name=_("issuer")
    )
    document_number = models.CharField(_("document number"), max_length=64, unique=True)
    issued_date = models.DateField(_("issued"))
    impact = models.CharField(_("impact"), max_length=6, choices=IMPACTS, default=MEDIUM)
    summary = models.TextField(_("summary"))
    obligations = StreamField([("obligation", ObligationBlock())], blank=True, verbose_name=_("obligations"))
    body = RichTextField(_("full text"), blank=True, features=RICH_FEATURES)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("original document"),
    )
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    repealed_on = models.DateField(_("repealed on"), null=True, blank=True)
    related_training = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("related training"),
        help_text=_("A course or lesson that teaches this rule."),
    )
    tags = ClusterTaggableManager(through=RegulationTag, blank=True, verbose_name=_("tags"))

    reference_field = "document_number"
    compare_fields = ("summary", "obligations", "body")
    versions_follow_effective_date = False
    parent_page_types = ["kb.RegulationIndexPage"]
    subpage_types: list[str] = []

    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number", boost=3),
        index.AutocompleteField("document_number"),
        index.SearchField("summary", boost=2),
        index.SearchField("obligations"),
        index.SearchField("body"),
        index.RelatedFields("issuer", [index.SearchField("name"), index.SearchField("short_name")]),
        index.RelatedFields("tags", [index.SearchField("name", boost=2)]),
        index.FilterField("effective_date"),
        index.FilterField("impact"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("issuer"), FieldPanel("document_number")]),
        FieldRowPanel([FieldPanel("issued_date"), FieldPanel("effective_date"), FieldPanel("impact")]),
        FieldPanel("summary"),
        FieldPanel("obligations"),
        FieldPanel("body"),
        FieldPanel("document"),
        InlinePanel("affected_procedures", label=_("Procedures affected")),
        PageChooserPanel("related_training"),
        FieldPanel("tags"),
    ]
    status_panels = [
        MultiFieldPanel(
            [FieldPanel("superseded_by"), FieldPanel("repealed_on")],
            heading=_("Superseded or repealed"),
        ),
        *AcknowledgedPage.audience_panels,
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(status_panels, heading=_("Status and audience")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
        ]
    )

    class Meta:
        verbose_name = _("regulation update")
        verbose_name_plural = _("regulation updates")

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}"

    @classmethod
    def status_expression(cls, today):
        """The same rule as ``status``, as SQL, for filtering the feed."""
        return models.Case(
            models.When(repealed_on__lte=today, then=models.Value(cls.REPEALED)),
            models.When(superseded_by__isnull=False, then=models.Value(cls.SUPERSEDED)),
            models.When(effective_date__gt=today, then=models.Value(cls.UPCOMING)),
            default=models.Value(cls.IN_FORCE),
            output_field=models.CharField(),
        )

    @property
    def status(self) -> str:
        """Derived from dates and the explicit superseded/repealed fields, never stored."""
        today = timezone.localdate()
        if self.repealed_on and self.repealed_on <= today:
            return self.REPEALED
        if self.superseded_by_id:
            return self.SUPERSEDED
        if self.effective_date > today:
            return self.UPCOMING
        return self.IN_FORCE

    def get_status_display(self) -> str:
        return dict(self.STATUSES)[self.status]


class AffectedProcedure(Orderable):
    page = ParentalKey(RegulationUpdatePage, on_delete=models.CASCADE, related_name="affected_procedures")
    procedure = models.ForeignKey(
        "kb.ProcedurePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("procedure")
    )
    panels = [PageChooserPanel("procedure", "kb.ProcedurePage")]

    class Meta(Orderable.Meta):
        verbose_name = _("procedure affected")
        verbose_name_plural = _("procedures affected")
        constraints = [models.UniqueConstraint(fields=["page", "procedure"], name="kb_affected_once")]


class ReviewFlag(models.Model):
    """A procedure flagged for review because a regulation update affects it. Cleared by a new version of the
    procedure or by its owner's "reviewed, no change" with a comment."""

    procedure = models.ForeignKey(
        "kb.ProcedurePage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="review_flags"
    )
    regulation = models.ForeignKey(
        RegulationUpdatePage, on_delete=models.DO_NOTHING, db_constraint=False, related_name="review_flags"
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cleared by"),
    )
    cleared_note = models.TextField(_("how it was cleared"), blank=True)

    class Meta:
        verbose_name = _("review flag")
        verbose_name_plural = _("review flags")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "regulation"],
                condition=models.Q(cleared_at__isnull=True),
                name="kb_one_open_flag_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} ← {self.regulation_id}"
