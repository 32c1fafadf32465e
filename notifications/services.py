"""Notify people: an in-app notification and an email each, the email sent by the worker."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import EmailDelivery, Notification
from .tasks import deliver_email


@transaction.atomic
def notify(users: Iterable, *, title: str, body: str, url: str, email: bool = True) -> list[Notification]:
    """Create one notification per user and queue an email to each user who has an address."""
    users = list(users)
    notifications = Notification.objects.bulk_create(
        [Notification(user=user, title=title, body=body, url=url) for user in users]
    )
    if email:
        deliveries = EmailDelivery.objects.bulk_create(
            [
                EmailDelivery(notification=n, to_address=user.email, subject=title, body=f"{body}\n\n{url}")
                for n, user in zip(notifications, users, strict=True)
                if user.email
            ]
        )
        ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: [deliver_email.enqueue(pk) for pk in ids])
    return notifications


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def retry_failed_emails() -> int:
    """Put failed emails back in the queue (after fixing the mail server, say)."""
    ids = list(EmailDelivery.objects.filter(status=EmailDelivery.FAILED).values_list("pk", flat=True))
    EmailDelivery.objects.filter(pk__in=ids).update(status=EmailDelivery.PENDING, attempts=0)
    for pk in ids:
        deliver_email.enqueue(pk)
    return len(ids)
