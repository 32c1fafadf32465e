"""People and the org chart: departments, positions, staff profiles and the supervisor closure table."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class Department(index.Indexed, models.Model):
    """A branch or team. A managed list: HR imports refer to it by code or name."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("code")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Position(index.Indexed, models.Model):
    """A job title, e.g. 客戶服務主任. A managed list like departments."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_supervisory = models.BooleanField(_("supervisory post"), default=False)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("code")]

    class Meta:
        ordering = ["code"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.name


class StaffProfile(index.Indexed, models.Model):
    """One member of staff. Deactivated, never deleted: their records stay."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_profile",
        verbose_name=_("login"),
    )
    employee_number = models.CharField(_("employee number"), max_length=32, unique=True)
    display_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="staff", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="staff", verbose_name=_("position")
    )
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="direct_reports",
        verbose_name=_("supervisor"),
    )
    hire_date = models.DateField(_("hire date"))
    is_active = models.BooleanField(_("active"), default=True)
    # Auditors (people.access.is_read_only) read everything and record nothing, so they are in no audience
    # (people.audience). Kept in step with their groups by people.signal_handlers; never edited by hand.
    read_only = models.BooleanField(_("read-only (auditor)"), default=False, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    search_fields = [
        index.SearchField("display_name"),
        index.AutocompleteField("display_name"),
        index.SearchField("employee_number"),
        index.AutocompleteField("employee_number"),
        index.FilterField("is_active"),
        index.FilterField("department"),
    ]

    class Meta:
        ordering = ["employee_number"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        permissions = [
            ("view_team", _("Can see own direct and indirect reports")),
            ("view_all_staff", _("Can see every staff profile")),
            ("import_staff", _("Can import staff from HR files")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("pk")), name="staff_not_own_supervisor"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.employee_number})"

    def save(self, *args, **kwargs) -> None:
        """Save, keeping the closure table and the login's active flag in step (a cycle rolls it all back)."""
        from .access import read_only_users
        from .services import org_sync
        from .signals import staff_changed

        created = self.pk is None
        if created:
            self.read_only = read_only_users().filter(pk=self.user_id).exists()
        with transaction.atomic():
            super().save(*args, **kwargs)
            org_sync(self)
            type(self.user).objects.filter(pk=self.user_id).exclude(is_active=self.is_active).update(
                is_active=self.is_active
            )
            staff_changed.send(sender=StaffProfile, profile=self, created=created)

    def clean(self) -> None:
        from .services import OrgCycleError, org_check_move

        if self.supervisor_id and self.pk:
            try:
                org_check_move(node_id=self.pk, new_supervisor_id=self.supervisor_id)
            except OrgCycleError as exc:
                raise ValidationError({"supervisor": str(exc)}) from exc


class OrgPath(models.Model):
    """Closure table of the supervisor tree: one row per (ancestor, descendant) pair, depth 0 = self.

    A subtree is one indexed query at any depth. Only ``people.services`` writes here.
    """

    ancestor = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="descendant_paths")
    descendant = models.ForeignKey(StaffProfile, on_delete=models.CASCADE, related_name="ancestor_paths")
    depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ancestor", "descendant"], name="orgpath_unique_pair")]
        indexes = [models.Index(fields=["ancestor", "depth"]), models.Index(fields=["descendant", "depth"])]

    def __str__(self) -> str:
        return f"{self.ancestor_id} → {self.descendant_id} ({self.depth})"


class FeedToken(models.Model):
    """A person's private token for feed readers (the site is login-only; feed readers cannot log in).

    Regenerating replaces the token, so the old address stops working at once.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_token")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feed token")
        verbose_name_plural = _("feed tokens")

    def __str__(self) -> str:
        return f"feed token of {self.user_id}"
