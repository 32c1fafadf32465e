"""The daily run (``manage.py run_daily``): safe to run twice, and to miss a day.

It re-syncs what content owes (versions that came into force, moved due dates), applies rules whose window
opened, renews recurring and expiring completions, marks overdue items, and queues reminders: 7 and 1 days
before the due date, an overdue notice the day after, and an escalation to the supervisor. Each reminder is
a ``SentReminder`` row under a unique key, so it goes out once; the django-tasks worker sends the emails.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.urls import absolute_url
from notifications.services import digests_send, notify
from people.audience import Audience
from people.models import StaffProfile

from .models import OPEN_STATUSES, Obligation, SentReminder, Source, Status
from .registry import NotAssignable, target_type_by_key
from .services import Changes, audience_materialise, rules_materialise, successor_of

RENEW_AHEAD_DAYS = 30  # a recurring item is assigned again this long before its completion expires
NOTICE_LANGUAGE = "zh-hant"


@dataclass
class DailyReport:
    synced: Changes = field(default_factory=Changes)
    renewed: int = 0
    expired: int = 0
    overdue: int = 0
    reminders: dict[str, int] = field(default_factory=dict)
    digests: int = 0

    def lines(self) -> list[str]:
        s = self.synced
        return [
            f"obligations created {s.created}, withdrawn {s.withdrawn}, due dates moved {s.updated}",
            f"recurrences renewed {self.renewed}, completions expired {self.expired}",
            f"marked overdue {self.overdue}",
            "reminders " + ", ".join(f"{k} {v}" for k, v in sorted(self.reminders.items()) or [("none", 0)]),
            f"digests queued {self.digests}",
        ]


def recurrences_renew(today: datetime.date) -> tuple[int, int]:
    """Assign again what stops being valid within ``RENEW_AHEAD_DAYS`` (due when it runs out), and mark
    completions past their validity expired. Returns (renewed, expired)."""
    now = timezone.now()
    later = Obligation.objects.current().filter(
        person=OuterRef("person"),
        target_type=OuterRef("target_type"),
        target_id=OuterRef("target_id"),
        source_key=OuterRef("source_key"),
        cycle__gt=OuterRef("cycle"),
    )
    due_soon = list(
        Obligation.objects.filter(
            status__in=(Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE, Status.EXPIRED),
            valid_until__isnull=False,
            valid_until__lte=today + datetime.timedelta(days=RENEW_AHEAD_DAYS),
            person__is_active=True,
        )
        .exclude(Exists(later))
        .select_related("rule")
    )
    audiences: dict[int, set[int]] = {}
    new = []
    for ob in due_soon:
        if ob.source == Source.RULE:
            rule = ob.rule
            if rule is None or not rule.is_active:
                continue
            if rule.pk not in audiences:
                audiences[rule.pk] = set(
                    StaffProfile.objects.filter(Audience.of(rule).staff_q()).values_list("pk", flat=True)
                )
            if ob.person_id not in audiences[rule.pk]:
                continue
        new.append(successor_of(ob, due=max(ob.valid_until, today), now=now))
    Obligation.objects.bulk_create(new)
    expired = Obligation.objects.filter(
        status__in=(Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE), valid_until__lt=today
    ).update(status=Status.EXPIRED)
    return len(new), expired


def overdue_mark(today: datetime.date) -> int:
    return Obligation.objects.filter(
        status__in=(Status.NOT_STARTED, Status.IN_PROGRESS), due_date__lt=today
    ).update(status=Status.OVERDUE)


def _target_url(ob: Obligation) -> str:
    try:
        ttype = target_type_by_key(ob.target_key)
    except NotAssignable:
        return absolute_url("/")
    target = ob.target
    return absolute_url(ttype.url(target) if target is not None else "/")


def _kind_for(days_left: int) -> str | None:
    if 2 <= days_left <= 7:
        return SentReminder.REMINDER_7
    if 0 <= days_left <= 1:
        return SentReminder.REMINDER_1
    if days_left < 0:
        return SentReminder.OVERDUE
    return None


def _texts(kind: str, ob: Obligation) -> tuple[str, str]:
    values = {"title": ob.title, "due": ob.due_date.isoformat()}
    if kind == SentReminder.REMINDER_7:
        return _("Due in a week: %(title)s") % values, _("Please complete it by %(due)s.") % values
    if kind == SentReminder.REMINDER_1:
        return _("Due tomorrow: %(title)s") % values, _("Please complete it by %(due)s.") % values
    return (
        _("Overdue: %(title)s") % values,
        _("It was due on %(due)s. Your supervisor has been told; please complete it now.") % values,
    )


@transaction.atomic
def reminders_send(today: datetime.date) -> dict[str, int]:
    """Queue the reminders due today that were not sent before (unique key: obligation, kind, due date)."""
    horizon = today + datetime.timedelta(days=7)
    obligations = list(
        Obligation.objects.filter(status__in=OPEN_STATUSES, due_date__lte=horizon, person__is_active=True)
        .select_related("person__user", "person__supervisor__user")
        .prefetch_related("target")
        .order_by("person_id", "due_date", "pk")
    )
    sent = set(
        SentReminder.objects.filter(obligation__in=[ob.pk for ob in obligations]).values_list(
            "obligation_id", "kind", "due_date"
        )
    )
    rows: list[SentReminder] = []
    escalations: dict[int, list[Obligation]] = defaultdict(list)
    supervisors: dict[int, StaffProfile] = {}
    counts: dict[str, int] = defaultdict(int)
    with override(NOTICE_LANGUAGE):
        for ob in obligations:
            kind = _kind_for((ob.due_date - today).days)
            if kind is None:
                continue
            if (ob.pk, kind, ob.due_date) not in sent:
                title, body = _texts(kind, ob)
                notify([ob.person.user], title=title, body=body, url=_target_url(ob), mandatory=ob.mandatory)
                rows.append(SentReminder(obligation=ob, kind=kind, due_date=ob.due_date))
                counts[kind] += 1
            supervisor = ob.person.supervisor
            if (
                kind == SentReminder.OVERDUE
                and supervisor is not None
                and supervisor.is_active
                and (ob.pk, SentReminder.ESCALATION, ob.due_date) not in sent
            ):
                escalations[supervisor.pk].append(ob)
                supervisors[supervisor.pk] = supervisor
                rows.append(SentReminder(obligation=ob, kind=SentReminder.ESCALATION, due_date=ob.due_date))
                counts[SentReminder.ESCALATION] += 1
        for supervisor_id, items in escalations.items():
            lines = [
                _("%(person)s: %(title)s, due %(due)s")
                % {"person": ob.person.display_name, "title": ob.title, "due": ob.due_date.isoformat()}
                for ob in items
            ]
            notify(
                [supervisors[supervisor_id].user],
                title=_("Overdue in your team: %(count)s item(s)") % {"count": len(items)},
                body="\n".join(lines),
                url=absolute_url(reverse("team")),
                urgent=True,  # escalations always go, whatever the supervisor's preference
            )
    SentReminder.objects.bulk_create(rows)  # the unique key refuses a concurrent second run's doubles
    return dict(counts)


def daily_run(today: datetime.date | None = None) -> DailyReport:
    today = today or timezone.localdate()
    report = DailyReport()
    report.synced += audience_materialise()
    report.synced += rules_materialise()
    report.renewed, report.expired = recurrences_renew(today)
    report.overdue = overdue_mark(today)
    report.reminders = reminders_send(today)
    report.digests = digests_send()
    return report
