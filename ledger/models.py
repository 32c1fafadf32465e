"""The record ledger: append-only, hash-chained evidence of what staff did (acknowledged, passed, completed).

Rows are written only by ``ledger.services.record_append``; the ORM refuses edits and deletes, and so do
database triggers (migration 0004). A DBA can still get past both, which is what the hash chain, the anchors
and ``manage.py verify_records`` detect (docs/ledger.md).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import sql
from django.utils.translation import gettext_lazy as _

from .maintenance import in_maintenance

GENESIS_HASH = "0" * 64
CORRECTS_SEQ_ANNOTATION = "chain_corrects_seq"
# Version of the canonical form below. 2: times at whole milliseconds (1 hashed microseconds, which Django's
# JSON serialisation cuts); migration 0003 re-hashed version-1 chains.
CANONICAL_VERSION = 2

_hex64 = RegexValidator(r"^[0-9a-f]{64}\Z", _("Enter 64 lower-case hexadecimal characters."))


class LedgerImmutableError(Exception):
    """Raised when code tries to change or delete a ledger record, or to write one outside the service."""


class RecordKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    QUIZ_ATTEMPT = "quiz_attempt", _("Quiz attempt")
    COMPLETION = "completion", _("Completion")
    REVIEW = "review", _("Review")
    APPROVAL = "approval", _("Approval")


class Outcome(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    COMPLETED = "completed", _("Completed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVIEWED = "reviewed", _("Reviewed")
    VOIDED = "voided", _("Voided (recorded in error)")


def _refuse(action: str) -> None:
    raise LedgerImmutableError(f"Ledger records are append-only: {action} is not allowed.")


def _unlinks_actor_only(fields: dict[str, Any]) -> bool:
    """``actor=None`` alone: Django's SET_NULL when a user is deleted (the snapshots keep who it was)."""
    return fields == {"actor": None}


class RecordUpdateQuery(sql.UpdateQuery):
    """Every ORM UPDATE of records ends here, also ``models.QuerySet.update(Record.objects.all(), …)``."""

    def add_update_fields(self, values_seq: list[tuple[Any, Any, Any]]) -> None:
        fields = {field.name: value for field, _model, value in values_seq}
        if not (in_maintenance() or _unlinks_actor_only(fields)):
            _refuse(f"UPDATE of {', '.join(sorted(fields))}")
        super().add_update_fields(values_seq)


class RecordQuery(sql.Query):
    """Turns the UPDATE that any QuerySet method would build into a ``RecordUpdateQuery``."""

    def chain(self, klass: type[sql.Query] | None = None) -> sql.Query:
        return super().chain(RecordUpdateQuery if klass is sql.UpdateQuery else klass)


class RecordQuerySet(models.QuerySet):
    """Reads only: bulk writes would bypass the hash chain, so they raise.

    Its ``RecordQuery`` also stops the base class's ``update()`` called directly; ``delete()`` through
    Django's collector is stopped by a ``pre_delete`` receiver (``apps.py``). What still reaches the
    database outside these (raw SQL, ``_raw_delete``) meets the triggers of migration 0004.
    """

    def __init__(
        self, model: type[models.Model] | None = None, query: sql.Query | None = None, **kwargs: Any
    ):
        super().__init__(model, query if query is not None else RecordQuery(model), **kwargs)

    def update(self, **kwargs: Any) -> int:
        if not (in_maintenance() or _unlinks_actor_only(kwargs)):
            _refuse("QuerySet.update()")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        _refuse("QuerySet.delete()")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        _refuse("QuerySet.bulk_update()")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Record]:
        _refuse("QuerySet.bulk_create() (use services.record_append)")

    def with_corrects_seq(self) -> RecordQuerySet:
        """Fetch each corrected record's seq in the same query (it is part of the hashed content)."""
        return self.annotate(**{CORRECTS_SEQ_ANNOTATION: models.F("corrects__seq")})

    def current(self) -> RecordQuerySet:
        """Records that no later record corrects (the latest word on each event)."""
        return self.filter(corrections__isnull=True)


class Record(models.Model):
    """One piece of evidence: who did what to which content, when, with what outcome.

    ``hash = sha256(prev_hash + canonical_json())``; ``prev_hash`` is the previous record's hash (64 zeros
    for seq 1). ``actor`` is a convenience link that becomes NULL when the user is deleted; the evidence is
    in the snapshots (``actor_user_id``, ``actor_username``, ``actor_name``, ``actor_employee_number``).
    """

    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=32, choices=RecordKind.choices)

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_records",
        verbose_name=_("actor"),
    )
    actor_user_id = models.PositiveBigIntegerField(
        _("actor's user id"), help_text=_("Kept after the user is deleted.")
    )
    actor_username = models.CharField(_("actor's username"), max_length=150)
    actor_name = models.CharField(_("actor's name"), max_length=100, blank=True)
    actor_employee_number = models.CharField(_("actor's employee number"), max_length=32, blank=True)

    subject_type = models.CharField(
        _("subject type"),
        max_length=100,
        help_text=_('What the record is about, as "app_label.model", e.g. "kb.procedurepage".'),
    )
    page_id = models.PositiveBigIntegerField(_("page id"), null=True, blank=True)
    revision_id = models.PositiveBigIntegerField(_("revision id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    outcome = models.CharField(_("outcome"), max_length=32, choices=Outcome.choices)
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"), editable=False)

    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )

    prev_hash = models.CharField(_("previous hash"), max_length=64, validators=[_hex64], editable=False)
    hash = models.CharField(_("hash"), max_length=64, validators=[_hex64], editable=False)

    # Also the base manager: Django's related-object and save() paths use it, and they must refuse too.
    objects = RecordQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["seq"]
        verbose_name = _("evidence record")
        verbose_name_plural = _("evidence records")
        # Only "view": nobody, superusers included, may add, change or delete through the admin.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["actor", "kind"], name="ledger_rec_actor_kind"),
            models.Index(fields=["page_id", "kind"], name="ledger_rec_page_kind"),
            models.Index(fields=["occurred_at"], name="ledger_rec_occurred"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="ledger_record_seq_positive"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_kind_display()} · {self.actor_username} · {self.title}"

    # --- append-only -------------------------------------------------------------------------------------

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutableError(
                f"Ledger record #{self.seq} cannot be changed; append a correction (services.record_correct)."
            )
        if not self.hash or self.hash != self.compute_hash():
            raise LedgerImmutableError("Ledger records are written only by services.record_append.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerImmutableError(f"Ledger record #{self.seq} cannot be deleted.")

    def actor_label(self) -> str:
        return self.actor_name or self.actor_username

    actor_label.short_description = _("actor")
    actor_label.admin_order_field = "actor_name"

    # --- the chain ---------------------------------------------------------------------------------------

    @property
    def corrects_seq(self) -> int | None:
        """The corrected record's seq (hashed instead of its id, which is not part of the chain)."""
        if self.corrects_id is None:
            return None
        if CORRECTS_SEQ_ANNOTATION in self.__dict__:  # set by the verifier's streaming query
            return self.__dict__[CORRECTS_SEQ_ANNOTATION]
        return self.corrects.seq

    def canonical_json(self) -> str:
        """Deterministic JSON of every evidence field (all but ``hash`` and ``prev_hash``)."""
        return canonical_dumps(
            {
                "seq": self.seq,
                "kind": self.kind,
                "actor_user_id": self.actor_user_id,
                "actor_username": self.actor_username,
                "actor_name": self.actor_name,
                "actor_employee_number": self.actor_employee_number,
                "subject_type": self.subject_type,
                "page_id": self.page_id,
                "revision_id": self.revision_id,
                "title": self.title,
                "outcome": self.outcome,
                "score": self.score,
                "data": self.data,
                "occurred_at": self.occurred_at,
                "recorded_at": self.recorded_at,
                "corrects_seq": self.corrects_seq,
            }
        )

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.canonical_json())


def to_millisecond(value: datetime.datetime) -> datetime.datetime:
    """``value`` in UTC, cut (not rounded) to whole milliseconds: what every faithful copy keeps."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a ledger record")
    value = value.astimezone(datetime.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def canonical_time(value: datetime.datetime) -> str:
    """``2025-06-30T09:05:09.123Z``: UTC, whole milliseconds (Django's JSON dump keeps no more)."""
    v = to_millisecond(value)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}."
        f"{v.microsecond // 1000:03d}Z"
    )


def _canonical_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, datetime.datetime):
        return canonical_time(value)
    raise TypeError(f"{type(value).__name__} is not allowed in a ledger record")


def canonical_dumps(payload: dict[str, Any]) -> str:
    """Sorted keys, no whitespace, ASCII only; Decimal as "12.50", datetimes as UTC ISO with milliseconds."""
    return json.dumps(
        payload,
        default=_canonical_default,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        allow_nan=False,
    )


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()
