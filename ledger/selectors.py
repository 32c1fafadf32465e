"""Reading the ledger. Each selector returns a QuerySet (or one record) in chain order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .models import Record, RecordQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def records_for_actor(user: AbstractBaseUser, kind: str | None = None) -> RecordQuerySet:
    """Everything recorded about ``user`` (uses the (actor, kind) index)."""
    queryset = Record.objects.filter(actor=user)
    return queryset.filter(kind=kind) if kind else queryset


def records_for_page(page_id: int, kind: str | None = None) -> RecordQuerySet:
    """Everything recorded about one page, across all its revisions (uses the (page_id, kind) index)."""
    queryset = Record.objects.filter(page_id=page_id)
    return queryset.filter(kind=kind) if kind else queryset


def latest_record(
    *,
    actor: AbstractBaseUser | None = None,
    page_id: int | None = None,
    kind: str | None = None,
    outcome: str | None = None,
    current_only: bool = True,
) -> Record | None:
    """The most recent record matching the filters given; by default ignoring records later corrected."""
    queryset = Record.objects.all()
    if current_only:
        queryset = queryset.current()
    filters = {"actor": actor, "page_id": page_id, "kind": kind, "outcome": outcome}
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    return queryset.order_by("-seq").first()


def ledger_head() -> Record | None:
    """The last record of the chain (its hash is the value worth anchoring outside the database)."""
    return Record.objects.order_by("-seq").first()


def correction_history(record: Record) -> list[Record]:
    """``record`` and every correction after it, oldest first (one query per link; chains are short)."""
    history = [record]
    while (later := Record.objects.filter(corrects=history[-1]).first()) is not None:
        history.append(later)
    return history
