"""Email delivery on the background worker, with retries and a visible failure state."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import default_task_backend, task

from .models import EmailDelivery

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 4, 16, 64 minutes between tries."""
    return datetime.timedelta(minutes=4 ** (attempts - 1))


@task()
def deliver_email(delivery_id: int) -> str:
    delivery = EmailDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status != EmailDelivery.PENDING:
        return "skipped"
    try:
        send_mail(delivery.subject, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.to_address])
    except Exception as exc:  # any transport error: record it, retry later, never lose the message
        delivery.attempts += 1
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= EmailDelivery.MAX_ATTEMPTS:
            delivery.status = EmailDelivery.FAILED
            logger.error(
                "Email %s to %s failed for good: %s", delivery.pk, delivery.to_address, delivery.last_error
            )
        else:
            logger.warning(
                "Email %s to %s failed (try %s), will retry: %s",
                delivery.pk,
                delivery.to_address,
                delivery.attempts,
                delivery.last_error,
            )
        delivery.save(update_fields=["attempts", "last_error", "status"])
        if delivery.status == EmailDelivery.PENDING and default_task_backend.supports_defer:
            deliver_email.using(run_after=timezone.now() + retry_delay(delivery.attempts)).enqueue(
                delivery.pk
            )
        return "failed"
    delivery.attempts += 1
    delivery.status = EmailDelivery.SENT
    delivery.sent_at = timezone.now()
    delivery.last_error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "last_error"])
    return "sent"
