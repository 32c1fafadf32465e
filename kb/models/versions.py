"""Published versions and acknowledgements (procedures and regulation updates), and procedure reviews.

These rows keep their page id even if the page is deleted (no database constraint), so history survives.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedVersionQuerySet(models.QuerySet):
    def of_page(self, page_id: int) -> PublishedVersionQuerySet:
        """A page's versions, newest first."""
        return self.filter(page_id=page_id).order_by("-number", "-minor")


class PublishedVersion(models.Model):
    """One published revision. ``number`` rises on material changes; minor changes raise ``minor``."""

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    number = models.PositiveIntegerField(_("version"))
    minor = models.PositiveIntegerField(_("minor revision"), default=0)
    is_material = models.BooleanField(_("material change"), default=True)
    reference = models.CharField(_("reference"), max_length=64)
    title = models.CharField(_("title"), max_length=255)
    effective_date = models.DateField(_("effective date"))
    change_summary = models.TextField(_("what changed"))
    published_at = models.DateTimeField(_("published"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True)
    approval_comment = models.TextField(_("approval comment"), blank=True)

    objects = PublishedVersionQuerySet.as_manager()

    class Meta:
        ordering = ["page_id", "number", "minor"]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        constraints = [
            models.UniqueConstraint(fields=["page", "number", "minor"], name="kb_version_unique_number"),
            models.UniqueConstraint(fields=["revision"], name="kb_version_unique_revision"),
        ]
        indexes = [models.Index(fields=["page", "effective_date"])]

    def __str__(self) -> str:
        return f"{self.reference} v{self.label}"

    @property
    def label(self) -> str:
        return str(self.number) if self.minor == 0 else f"{self.number}.{self.minor}"


class Acknowledgement(models.Model):
    """Projection of a ledger record: who confirmed having read which version. Insert-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False)
    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    version_number = models.PositiveIntegerField()
    revision_id = models.PositiveBigIntegerField(null=True)
    record = models.OneToOneField("ledger.Record", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField()
    due_date = models.DateField(null=True)
    on_time = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "version_number"], name="kb_ack_once_per_version")
        ]
        indexes = [models.Index(fields=["page", "version_number"])]

    def __str__(self) -> str:
        return f"{self.user_id} ✓ page {self.page_id} v{self.version_number}"


class ProcedureReview(models.Model):
    """A periodic review: either a new version was published or the owner confirmed "no change"."""

    NEW_VERSION = "new_version"
    NO_CHANGE = "no_change"
    OUTCOMES = [(NEW_VERSION, _("New version published")), (NO_CHANGE, _("Reviewed, no change"))]

    page = models.ForeignKey(
        "kb.ProcedurePage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=OUTCOMES)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-pk"]
        verbose_name = _("procedure review")
        verbose_name_plural = _("procedure reviews")
        indexes = [models.Index(fields=["page", "reviewed_on"])]

    def __str__(self) -> str:
        return f"{self.page_id} reviewed {self.reviewed_on}"
