"""What procedures and regulation updates share: versions, an audience that must acknowledge, version URLs."""

from __future__ import annotations

import datetime
import re
from html import unescape

from django.db import models, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.models import Page

from core.pages import RegisteredViewsMixin
from people.audience import AudienceFields
from people.models import Department, Position

from .versions import PublishedVersion
from .workflows import PublishedByApproval


def text_lines(value) -> list[str]:
    """Plain text lines of a field value: rich text or HTML, StreamField blocks (struct values flattened)."""
    from wagtail.blocks import StreamValue, StructValue
    from wagtail.rich_text import RichText

    if isinstance(value, StreamValue):
        lines = []
        for block in value:
            if isinstance(block.value, StructValue):
                parts = [text_lines(v) for v in block.value.values()]
                lines.append("；".join(" ".join(p) for p in parts if p))
            else:
                lines += text_lines(block.value)
        return lines
    if isinstance(value, RichText):
        value = value.source
    html = re.sub(r"</(p|li|h\d)>|<br\s*/?>", "\n", str(value or ""))
    return [line.strip() for line in unescape(strip_tags(html)).splitlines() if line.strip()]


class AcknowledgedPageForm(WagtailAdminPageForm):
    """Each new version needs its own "what changed" text, and versions never go back in time."""

    def clean(self):
        cleaned = super().clean()
        page = self.instance
        if page.pk is None:
            return cleaned
        last = PublishedVersion.objects.of_page(page.pk).first()
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
        if page.versions_follow_effective_date and effective and effective < last.effective_date:
            self.add_error(
                "effective_date",
                _("A new version cannot take effect before the current one (%(date)s).")
                % {"date": last.effective_date.isoformat()},
            )
        return cleaned


class AcknowledgedPage(PublishedByApproval, RegisteredViewsMixin, RoutablePageMixin, Page):
    """A page whose published versions staff in its audience must acknowledge.

    Subclasses set ``reference`` (a code or document number) and templates; kb.views serves every route.
    """

    publishes_by_approval = True

    audience_fields = AudienceFields(
        lists={"departments": "audience_departments", "positions": "audience_positions"}
    )

    effective_date = models.DateField(_("effective date"), default=datetime.date.today)
    audience_all = models.BooleanField(_("all staff must acknowledge"), default=True)
    audience_departments = ParentalManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("audience departments")
    )
    audience_positions = ParentalManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("audience positions")
    )
    ack_due_days = models.PositiveSmallIntegerField(_("acknowledge within (days)"), default=14)
    change_summary = models.TextField(
        _("what changed in this version"),
        help_text=_("Shown to staff in the version history. Required for every version."),
    )
    comprehension_quiz = models.ForeignKey(
        "quizzes.Quiz",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comprehension check"),
        help_text=_(
            "A short quiz staff must pass before they can acknowledge; "
            "passing it records the acknowledgement."
        ),
    )
    is_minor_change = models.BooleanField(
        _("minor change"),
        default=False,
        help_text=_(
            "Typo or formatting only: the version number stays and staff need not acknowledge again."
        ),
    )

    base_form_class = AcknowledgedPageForm
    # Procedures: a version is in force from its effective date. Regulation updates: from publication (the
    # rule's own effective date is content, not a reason to hide the notice).
    versions_follow_effective_date = True

    audience_panels = [
        MultiFieldPanel(
            [
                FieldPanel("audience_all"),
                FieldPanel("audience_departments"),
                FieldPanel("audience_positions"),
                FieldPanel("ack_due_days"),
                FieldPanel("comprehension_quiz"),
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

    class Meta:
        abstract = True

    reference_field = "code"  # the field that identifies the document to people (code, document number)
    compare_fields: tuple[str, ...] = ()  # fields shown, in order, when two versions are compared

    def publish(self, revision, *args, **kwargs):
        """Publish ``revision`` and write its version (kb.signal_handlers) in ONE transaction.

        Wagtail's publish saves the page, sends ``page_published`` (our PublishedVersion and review rows) and
        logs the action each on its own: without this, a failure after the page save would leave the new
        version live with no PublishedVersion, so nobody would be asked to acknowledge it
        (tests/kb/test_all_or_nothing.py).

        Wagtail's ``page_published`` does not say who published; the handler reads it off the revision (the
        approver, when the approval publishes; nobody for a scheduled go-live)."""
        revision.published_by_user = kwargs.get("user")
        with transaction.atomic():
            return super().publish(revision, *args, **kwargs)

    @property
    def reference(self) -> str:
        return getattr(self, self.reference_field)

    def version_effective_date(self) -> datetime.date:
        """The date a version published now comes into force."""
        return self.effective_date if self.versions_follow_effective_date else timezone.localdate()

    def plain_text_lines(self, *, labels: bool = True) -> list[str]:
        """The content as plain text lines, field by field: the unit a version compare shows (with field
        labels) and the text search snippets are cut from (without)."""
        lines = [f"{self.reference} {self.title}"] if labels else []
        for name in self.compare_fields:
            if labels:
                lines.append(str(self._meta.get_field(name).verbose_name))
            lines += text_lines(getattr(self, name))
        return lines

    @path("")
    def current_version(self, request):
        return self.serve_view(request, "current")

    @re_path(r"^v/(?P<label>\d+(?:\.\d+)?)/$")
    def specific_version(self, request, label):
        return self.serve_view(request, "version", label=label)

    @path("versions/")
    def version_history(self, request):
        return self.serve_view(request, "history")

    @path("compare/")
    def compare_versions(self, request):
        return self.serve_view(request, "compare")

    @path("acknowledge/")
    def acknowledge(self, request):
        return self.serve_view(request, "acknowledge")
