from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Notification(models.Model):
    """Something a person should know about, shown in the site until they have seen it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # Waiting for the person's daily digest email (preference "digest"); cleared when the digest is queued.
    in_digest = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.title


class EmailDelivery(models.Model):
    """One email to send. Failures are retried by the worker and stay visible; nothing is dropped silently."""

    PENDING, SENT, FAILED = "pending", "sent", "failed"
    STATUSES = [
        (PENDING, _("Pending")),
        (SENT, _("Sent")),
        (FAILED, pgettext_lazy("email delivery", "Failed")),
    ]
    MAX_ATTEMPTS = 5

    notification = models.ForeignKey(
        Notification, on_delete=models.SET_NULL, null=True, related_name="emails"
    )
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=STATUSES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("email delivery")
        verbose_name_plural = _("email deliveries")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.subject}"


class EmailPreference(models.TextChoices):
    EACH = "each", _("One email for each notice")
    DIGEST = "digest", _("One daily digest email")
    NONE = "none", _("No email for optional items")


class DeliveryPreference(models.Model):
    """How a person wants their emails. Mandatory items are never silenced (with "none" they come one by
    one) and urgent ones (escalations to supervisors) always go at once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="delivery_preference"
    )
    email = models.CharField(
        _("email"), max_length=10, choices=EmailPreference.choices, default=EmailPreference.EACH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery preference")
        verbose_name_plural = _("delivery preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
