"""Notify people: an in-app notification each, and an email sent by the worker — at once, in the person's
daily digest, or not at all, as they prefer (mandatory items are never silenced, urgent ones never wait)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .models import DeliveryPreference, EmailDelivery, EmailPreference, Notification
from .tasks import deliver_email


def preferences_of(users: Iterable) -> dict[int, str]:
    """Each user's email preference (default: each), in one query."""
    ids = [user.pk for user in users]
    prefs = dict(DeliveryPreference.objects.filter(user_id__in=ids).values_list("user_id", "email"))
    return {pk: prefs.get(pk, EmailPreference.EACH) for pk in ids}


def preference_set(user, email: str) -> DeliveryPreference:
    if email not in EmailPreference.values:
        raise ValueError(f"Unknown email preference: {email!r}")
    pref, _created = DeliveryPreference.objects.update_or_create(user=user, defaults={"email": email})
    return pref


def _queue(deliveries: list[EmailDelivery]) -> None:
    created = EmailDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in created]
    if ids:
        transaction.on_commit(lambda: [deliver_email.enqueue(pk) for pk in ids])


@transaction.atomic
def notify(
    users: Iterable,
    *,
    title: str,
    body: str,
    url: str,
    email: bool = True,
    mandatory: bool = True,
    urgent: bool = False,
) -> list[Notification]:
    """One in-app notification per user, and an email as each user prefers.

    ``mandatory``: a duty (never silenced by "none"); ``urgent``: emailed at once whatever the preference
    (escalations). Optional items are not sent at all to a person who chose "none".
    """
    users = list(users)
    prefs = preferences_of(users) if not urgent else {}
    if not mandatory and not urgent:  # "none": optional items are not sent at all
        users = [user for user in users if prefs.get(user.pk) != EmailPreference.NONE]
    modes = {
        user.pk: EmailPreference.EACH if urgent else prefs.get(user.pk, EmailPreference.EACH)
        for user in users
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                title=title,
                body=body,
                url=url,
                in_digest=email and bool(user.email) and modes[user.pk] == EmailPreference.DIGEST,
            )
            for user in users
        ]
    )
    if email:
        _queue(
            [
                EmailDelivery(notification=n, to_address=user.email, subject=title, body=f"{body}\n\n{url}")
                for n, user in zip(notifications, users, strict=True)
                if user.email
                and (
                    modes[user.pk] == EmailPreference.EACH
                    or (modes[user.pk] == EmailPreference.NONE and mandatory)
                )
            ]
        )
    return notifications


@transaction.atomic
def digests_send() -> int:
    """Queue one digest email per person with notifications waiting for it; returns how many. Idempotent:
    a notification goes in one digest only."""
    waiting = list(
        Notification.objects.select_for_update()
        .filter(in_digest=True)
        .select_related("user")
        .order_by("user_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for n in waiting:
        by_user[n.user_id].append(n)
    deliveries = []
    for items in by_user.values():
        user = items[0].user
        with override("zh-hant"):
            subject = _("ServeWell daily digest: %(count)s notices") % {"count": len(items)}
        lines = [f"- {n.title}\n  {n.body}\n  {n.url}".rstrip() for n in items]
        deliveries.append(EmailDelivery(to_address=user.email, subject=subject, body="\n\n".join(lines)))
    _queue(deliveries)
    Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(in_digest=False)
    return len(deliveries)


def mark_all_read(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def retry_failed_emails() -> int:
    """Put failed emails back in the queue (after fixing the mail server, say)."""
    ids = list(EmailDelivery.objects.filter(status=EmailDelivery.FAILED).values_list("pk", flat=True))
    EmailDelivery.objects.filter(pk__in=ids).update(status=EmailDelivery.PENDING, attempts=0)
    for pk in ids:
        deliver_email.enqueue(pk)
    return len(ids)
