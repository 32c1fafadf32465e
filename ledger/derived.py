"""Tables derived from the ledger (acknowledgements, quiz attempts, completions), checked against it.

Apps above the ledger keep fast tables next to their records (kb's ``Acknowledgement`` is what the trace
view reads). Nothing but ``verify_records`` would notice if one of those rows were edited, so each owning
app registers a checker in its ``AppConfig.ready()``::

    from ledger import derived
    derived.register("kb.acknowledgement", acknowledgement_mismatches)

A checker takes the database alias and yields ``(row description, problem)`` pairs, e.g.
``("id 17 (user 5, page 20 v3)", "on_time is True, the record (seq 42) says False")``; nothing when the
table agrees. It must cover both directions — every row has its record and agrees with it, every record
of its kind has its row — and run in bounded memory (keyset pages or ``.iterator()``), with a fixed
number of queries per page. An exception is reported as a problem of that table, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet

from .models import Record, to_millisecond

PAGE = 2000

Checker = Callable[[str], Iterable[tuple[str, str]]]

_checkers: dict[str, Checker] = {}


def register(name: str, checker: Checker) -> None:
    """Check the table ``name`` ("app_label.model") with ``checker`` on every ``verify_records``."""
    _checkers[name] = checker


def checkers() -> dict[str, Checker]:
    """The registered checkers by table name, in registration order."""
    return dict(_checkers)


def rows_with_records(
    rows: QuerySet, record_fields: Sequence[str], using: str
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each row of ``rows`` (a ``.values()`` query with ``pk`` and ``record_id``) with its record's
    ``record_fields`` (None if missing), in keyset pages of ``PAGE``: two queries per page."""
    rows = rows.order_by("pk")
    last = 0
    while page := list(rows.filter(pk__gt=last)[:PAGE]):
        records = {
            record["pk"]: record
            for record in Record.objects.using(using)
            .filter(pk__in=[row["record_id"] for row in page])
            .values(*record_fields)
        }
        for row in page:
            yield row, records.get(row["record_id"])
        last = page[-1]["pk"]


def records_without_rows(
    rows: QuerySet, *, kind: str, subject_types: Sequence[str], using: str
) -> Iterator[tuple[int, int | None, int | None]]:
    """(seq, actor_user_id, page_id) of every original record of ``kind`` about ``subject_types`` that no row
    of ``rows`` (the derived table's queryset) points at."""
    orphans = (
        Record.objects.using(using)
        .filter(kind=kind, subject_type__in=subject_types, corrects__isnull=True)
        .exclude(pk__in=rows.values("record_id"))
        .values_list("seq", "actor_user_id", "page_id")
    )
    yield from orphans.iterator(chunk_size=PAGE)


def disagreements(pairs: Iterable[tuple[str, Any, Any]], seq: int) -> list[str]:
    """One problem per ``(field, the row's value, the record's value)`` that differ."""
    return [
        f"{name} is {mine}, the record (seq {seq}) says {theirs}"
        for name, mine, theirs in pairs
        if mine != theirs
    ]


def as_millisecond(value: Any) -> str:
    """A time as the ledger keeps it (whole milliseconds), for comparing a row's time with its record's."""
    return to_millisecond(value).isoformat() if value is not None else "None"
