"""Assignment rules and the one obligation table: who must do what, by when, and where it stands."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.audience import AudienceFields
from people.models import Department, Position, StaffProfile


class DueKind(models.TextChoices):
    FIXED = "fixed", _("On a fixed date")
    AFTER_ASSIGNMENT = "after_assignment", _("N days after assignment")
    AFTER_HIRE = "after_hire", _("N days after hire date")


class AssignmentRule(models.Model):
    """ "Everyone in 客服一部, the annual AML course, due 30 days after assignment, every 12 months"."""

    audience_fields = AudienceFields(
        everyone="audience_all",
        lists={
            "departments": "audience_departments",
            "positions": "audience_positions",
            "groups": "audience_groups",
        },
        hired_on_or_after="audience_hired_on_or_after",
        people="audience_people",
    )

    name = models.CharField(_("name"), max_length=200)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("target type")
    )
    target_id = models.PositiveIntegerField(_("target id"))
    target = GenericForeignKey("target_type", "target_id")

    audience_all = models.BooleanField(_("all staff"), default=False)
    audience_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments")
    )
    audience_positions = models.ManyToManyField(
        Position, blank=True, related_name="+", verbose_name=_("positions")
    )
    audience_groups = models.ManyToManyField(Group, blank=True, related_name="+", verbose_name=_("roles"))
    audience_hired_on_or_after = models.DateField(_("hired on or after"), null=True, blank=True)
    audience_people = models.ManyToManyField(
        StaffProfile, blank=True, related_name="+", verbose_name=_("named people")
    )

    due_kind = models.CharField(
        _("due"), max_length=20, choices=DueKind.choices, default=DueKind.AFTER_ASSIGNMENT
    )
    due_date = models.DateField(_("fixed due date"), null=True, blank=True)
    due_days = models.PositiveSmallIntegerField(_("due within (days)"), default=30)
    recurrence_months = models.PositiveSmallIntegerField(
        _("repeat every (months)"),
        null=True,
        blank=True,
        help_text=_("A completion stays valid this long; a new assignment is due when it runs out."),
    )
    mandatory = models.BooleanField(
        _("mandatory"),
        default=True,
        help_text=_("Reminders for mandatory items are always sent; others follow each person's preference."),
    )
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Switching a rule off withdraws what it assigned and is not done."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        indexes = [models.Index(fields=["target_type", "target_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(due_kind="fixed") | models.Q(due_date__isnull=False),
                name="assignments_rule_fixed_has_date",
            ),
            models.CheckConstraint(
                condition=models.Q(active_until__isnull=True)
                | models.Q(active_from__isnull=True)
                | models.Q(active_until__gte=models.F("active_from")),
                name="assignments_rule_window_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_window(self, today: datetime.date | None = None) -> bool:
        """Whether the rule assigns today: switched on and inside its active window."""
        today = today or timezone.localdate()
        return (
            self.is_active
            and (self.active_from is None or self.active_from <= today)
            and (self.active_until is None or today <= self.active_until)
        )

    def due_for(self, *, hire_date: datetime.date, assigned_on: datetime.date) -> datetime.date:
        if self.due_kind == DueKind.FIXED and self.due_date:
            return self.due_date
        start = hire_date if self.due_kind == DueKind.AFTER_HIRE else assigned_on
        return start + datetime.timedelta(days=self.due_days)


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED_ON_TIME = "completed_on_time", _("Completed on time")
    COMPLETED_LATE = "completed_late", _("Completed late")
    OVERDUE = "overdue", _("Overdue")
    EXPIRED = "expired", _("Expired: needs recertification")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.OVERDUE)
DONE_STATUSES = (Status.COMPLETED_ON_TIME, Status.COMPLETED_LATE, Status.EXPIRED)


class Source(models.TextChoices):
    RULE = "rule", _("Assignment rule")
    AUDIENCE = "audience", _("Audience of the page")
    MANUAL = "manual", _("Assigned by a supervisor")
    REFRESHER = "refresher", _("Refresher")


class ObligationQuerySet(models.QuerySet):
    def open(self) -> ObligationQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def current(self) -> ObligationQuerySet:
        """Not withdrawn: what counts in reports."""
        return self.exclude(status=Status.WITHDRAWN)

    def for_target(self, target: models.Model) -> ObligationQuerySet:
        return self.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)


class Obligation(models.Model):
    """One person owes one target by a date. Rows are never deleted: withdrawn ones keep their history.

    ``source_key`` names what created it ("rule:12", "audience", "manual:34", "refresher:…") and, with the
    person, the target and the cycle, makes recomputing idempotent (a unique constraint over open rows).
    """

    # Status changes on every acknowledgement, completion and daily run: no Wagtail reference-index task each
    # time (nothing in the admin asks "where is this obligation used").
    wagtail_reference_index_ignore = True

    person = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("person")
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_key = models.CharField(_("kind of target"), max_length=40)  # the registry key, e.g. kb.procedure
    title = models.CharField(_("title"), max_length=255)  # as it was when assigned (lists read no targets)
    cycle = models.PositiveIntegerField(_("cycle"), default=1)  # kb: the version; rules: the recurrence

    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    source_key = models.CharField(max_length=40)
    rule = models.ForeignKey(
        AssignmentRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="obligations",
        verbose_name=_("rule"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    mandatory = models.BooleanField(_("mandatory"), default=True)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    due_date = models.DateField(_("due date"))
    assigned_at = models.DateTimeField(_("assigned"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    record = models.ForeignKey(
        "ledger.Record", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recurrence_months = models.PositiveSmallIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("why withdrawn"), max_length=200, blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "target_type", "target_id", "source_key", "cycle"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="assignments_obligation_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status="withdrawn", withdrawn_at__isnull=False)
                | (~models.Q(status="withdrawn") & models.Q(withdrawn_at__isnull=True)),
                name="assignments_obligation_withdrawn_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "status", "due_date"], name="assign_person_status"),
            models.Index(fields=["target_type", "target_id", "status"], name="assign_target_status"),
            models.Index(fields=["status", "due_date"], name="assign_status_due"),
            models.Index(fields=["rule", "status"], name="assign_rule_status"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.target_key}:{self.target_id} by {self.due_date} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """Open and past its due date (true between two daily runs as well)."""
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def progress_percent(self) -> int:
        if self.status in DONE_STATUSES:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class SentReminder(models.Model):
    """One reminder or escalation sent: the unique key makes each one go out once, however often the daily
    run runs."""

    REMINDER_7, REMINDER_1, OVERDUE, ESCALATION = "due_7", "due_1", "overdue", "escalation"
    KINDS = [
        (REMINDER_7, _("Reminder 7 days before")),
        (REMINDER_1, _("Reminder 1 day before")),
        (OVERDUE, _("Overdue notice")),
        (ESCALATION, _("Escalation to the supervisor")),
    ]

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=KINDS)
    due_date = models.DateField()  # a moved due date earns new reminders
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["obligation", "kind", "due_date"], name="assignments_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.obligation_id}"
