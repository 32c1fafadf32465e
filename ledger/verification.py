"""Verifying the ledger: the hash chain, the external anchors and the tables derived from it.

``ledger_verify`` reads every row with plain SQL and decodes each value itself, so a malformed row (a title
stored as bytes, a score as text, bad JSON, a NULL) becomes a problem naming its seq, never a traceback.
After a broken link it carries on from the bad row, so every independent problem is listed.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections

from . import derived
from .anchors import Anchor, read_anchors
from .models import CANONICAL_VERSION, CORRECTS_SEQ_ANNOTATION, GENESIS_HASH, Record

MAX_PROBLEMS = 500  # kept in memory and printed; more are counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong; ``where`` names the row: "seq 5 (id 5)", "anchor line 3 …", "kb.acknowledgement …" """

    where: str
    message: str
    seq: int | None = None
    record_id: int | None = None
    detail: str = ""  # what the record is, for a reader of the report

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" + (f" [{self.detail}]" if self.detail else "")


@dataclass(frozen=True)
class AnchorCheck:
    """Which anchor file was read and how many of its lines were compared with the ledger."""

    path: Path
    checked: int = 0
    skipped_older: int = 0
    latest: Anchor | None = None


@dataclass(frozen=True)
class VerificationResult:
    """``ok`` when nothing is wrong. ``checked`` rows were read; the first ``verified`` of them form an
    unbroken chain ending at ``good_seq``/``good_hash``; ``head_seq``/``head_hash`` is the last row read."""

    checked: int
    verified: int
    good_seq: int | None
    good_hash: str | None
    head_seq: int | None
    head_hash: str | None
    problems: tuple[Problem, ...] = ()
    omitted: int = 0
    anchors: AnchorCheck | None = None
    derived: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.omitted

    @property
    def bad_seq(self) -> int | None:
        return self.problems[0].seq if self.problems else None

    @property
    def reason(self) -> str:
        return self.problems[0].message if self.problems else ""


def ledger_verify(
    batch_size: int = 2000,
    *,
    anchors: Path | None = None,
    check_derived: bool = True,
    using: str = DEFAULT_DB_ALIAS,
) -> VerificationResult:
    """Walk the chain in seq order, ``batch_size`` rows at a time; compare ``anchors`` (a file) and the
    registered derived tables. Memory stays bounded by the batch size and the anchor file's length."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = _Report()
    anchor_check, by_seq = _load_anchors(anchors, report)
    walk = _Walk(report, by_seq)
    for page in _pages(batch_size, using):
        walk.page(page, using)
    walk.finish(using)
    names: tuple[str, ...] = ()
    if check_derived:
        names = tuple(derived.checkers())
        for name, checker in derived.checkers().items():
            try:
                for row, message in checker(using):
                    report.add(Problem(f"{name} {row}", message))
            except Exception as exc:  # a checker's failure is a finding, not a traceback
                report.add(Problem(name, f"could not be checked: {type(exc).__name__}: {exc}"))
    if anchor_check is not None:
        anchor_check = dataclasses.replace(anchor_check, checked=walk.anchors_checked)
    return VerificationResult(
        checked=walk.read,
        verified=walk.verified,
        good_seq=walk.good_seq,
        good_hash=walk.good_hash,
        head_seq=walk.last_seq,
        head_hash=walk.last_hash,
        problems=tuple(report.problems),
        omitted=report.omitted,
        anchors=anchor_check,
        derived=names,
    )


class _Report:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.omitted = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.omitted += 1


def _load_anchors(path: Path | None, report: _Report) -> tuple[AnchorCheck | None, dict[int, list[Anchor]]]:
    if path is None:
        return None, {}
    try:
        anchors, bad = read_anchors(path)
    except OSError as exc:
        report.add(Problem(f"anchor file {path}", f"cannot be read: {exc.strerror or exc}"))
        return AnchorCheck(path=path), {}
    for number, why in bad:
        report.add(Problem(f"anchor file {path} line {number}", f"not an anchor line: {why}"))
    current = [anchor for anchor in anchors if anchor.canon == CANONICAL_VERSION]
    by_seq: dict[int, list[Anchor]] = defaultdict(list)
    for anchor in current:
        by_seq[anchor.seq].append(anchor)
    latest = max(current, key=lambda anchor: anchor.seq, default=None)
    return AnchorCheck(path=path, skipped_older=len(anchors) - len(current), latest=latest), by_seq


# --- reading rows without trusting them -------------------------------------------------------------------

_FIELDS = list(Record._meta.concrete_fields)
_INT_FIELDS = {"id", "seq", "actor_id", "actor_user_id", "page_id", "revision_id", "corrects_id"}
_TEXT_FIELDS = {f.attname for f in _FIELDS if f.get_internal_type() == "CharField"}
_TIME_FIELDS = {f.attname for f in _FIELDS if f.get_internal_type() == "DateTimeField"}
_SEQ_INDEX = [f.attname for f in _FIELDS].index("seq")


@dataclass
class _Row:
    raw_seq: Any
    record: Record | None  # None when a value could not be decoded
    errors: list[str]


def _pages(batch_size: int, using: str) -> Iterator[list[_Row]]:
    """Rows in seq order by keyset pages (``WHERE seq > last``), each value decoded on its own."""
    connection = connections[using]
    qn = connection.ops.quote_name
    # On SQLite "+col" hides the declared type, so sqlite3 hands over the stored value instead of running
    # Django's registered datetime parser on it (which raises on garbage, in the middle of fetchall()).
    raw = "+" if connection.vendor == "sqlite" else ""
    columns = ", ".join(f"{raw}r.{qn(f.column)}" for f in _FIELDS)
    table = qn(Record._meta.db_table)
    select = (
        f"SELECT {columns}, {raw}c.{qn('seq')} "
        f"FROM {table} r LEFT JOIN {table} c ON c.{qn('id')} = r.{qn('corrects_id')}"
    )
    order = f" ORDER BY r.{qn('seq')} LIMIT %s"
    converters = {f.attname: _converters(f, connection) for f in _FIELDS}
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(select + order, [batch_size])
            else:
                cursor.execute(f"{select} WHERE r.{qn('seq')} > %s{order}", [last, batch_size])
            raw_rows = cursor.fetchall()
        if not raw_rows:
            return
        yield [_decode(row, converters, connection) for row in raw_rows]
        last = raw_rows[-1][_SEQ_INDEX]
        if len(raw_rows) < batch_size:
            return


def _converters(field_: Any, connection: Any) -> list[Any]:
    expression = field_.get_col(Record._meta.db_table)
    return connection.ops.get_db_converters(expression) + field_.get_db_converters(connection)


def _decode(raw: tuple[Any, ...], converters: dict[str, list[Any]], connection: Any) -> _Row:
    values: dict[str, Any] = {}
    errors: list[str] = []
    for field_, value in zip(_FIELDS, raw, strict=False):
        name = field_.attname
        try:
            values[name] = _decode_value(field_, value, converters[name], connection)
        except _Malformed as exc:
            errors.append(f"{name} is {exc}")
    corrects_seq = raw[-1]
    raw_seq = raw[_SEQ_INDEX]
    if errors:
        return _Row(raw_seq, None, errors)
    record = Record(**values)
    record._state.adding = False
    record._state.db = connection.alias
    record.__dict__[CORRECTS_SEQ_ANNOTATION] = corrects_seq if isinstance(corrects_seq, int) else None
    return _Row(raw_seq, record, [])


class _Malformed(Exception):
    pass


def _describe(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bytes | memoryview):
        return f"stored as bytes (BLOB) {bytes(value)[:40]!r}"
    if isinstance(value, str):
        return f"stored as text {value[:40]!r}"
    return f"stored as {type(value).__name__} {str(value)[:40]!r}"


def _decode_value(field_: Any, value: Any, converters: list[Any], connection: Any) -> Any:
    name = field_.attname
    if value is None:
        if field_.null:
            return None
        raise _Malformed("NULL")
    if name == "data" and isinstance(value, str | bytes):
        try:
            json.loads(value)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Malformed(f"not valid JSON ({_describe(value)})") from exc
    if name in _TEXT_FIELDS and not isinstance(value, str):
        raise _Malformed(f"{_describe(value)}, not text")
    if name in _INT_FIELDS and (isinstance(value, bool) or not isinstance(value, int)):
        raise _Malformed(f"{_describe(value)}, not a whole number")
    if name == "score" and isinstance(value, str | bytes | memoryview):
        raise _Malformed(f"{_describe(value)}, not a number")
    try:
        expression = field_.get_col(Record._meta.db_table)
        for converter in converters:
            value = converter(value, expression, connection)
    except Exception as exc:
        raise _Malformed(f"{_describe(value)}, which cannot be read ({type(exc).__name__})") from exc
    if name == "data" and not isinstance(value, dict):
        raise _Malformed(f"{_describe(value)}, not a JSON object")
    if name == "score" and not (isinstance(value, Decimal) and value.is_finite()):
        raise _Malformed(f"{_describe(value)}, not a number")
    if name in _TIME_FIELDS and not (isinstance(value, datetime.datetime) and value.tzinfo is not None):
        raise _Malformed(f"{_describe(value)}, not a date and time")
    return value


# --- the walk ---------------------------------------------------------------------------------------------


class _Walk:
    """State of the chain walk across pages: the expected next seq and hash, and what verified so far."""

    def __init__(self, report: _Report, anchors: dict[int, list[Anchor]]) -> None:
        self.report = report
        self.anchors = anchors
        self.anchors_checked = 0
        self.expected_seq = 1
        self.prev_hash = GENESIS_HASH
        self.prev_id = 0
        self.read = 0
        self.verified = 0
        self.good_seq: int | None = None
        self.good_hash: str | None = None
        self.last_seq: int | None = None
        self.last_hash: str | None = None
        self.broken = False

    def page(self, rows: list[_Row], using: str) -> None:
        unlinked = self._unlinked_actors_who_exist(rows, using)
        for row in rows:
            self.read += 1
            self._row(row, unlinked)

    def _row(self, row: _Row, unlinked: set[int]) -> None:
        record = row.record
        if record is None:
            seq = row.raw_seq if isinstance(row.raw_seq, int) else None
            where = f"seq {seq}" if seq is not None else f"row with seq {_describe(row.raw_seq)}"
            self._fail(Problem(where, "unreadable row: " + "; ".join(row.errors), seq=seq))
            if seq is not None:
                self.expected_seq = seq + 1
            self.prev_hash = None  # unknown: the next link cannot be checked
            return
        self.last_seq, self.last_hash = record.seq, record.hash
        where = f"seq {record.seq} (id {record.pk})"
        if reason := self._link(record):
            self._fail(Problem(where, reason, seq=record.seq, record_id=record.pk), record)
        elif not self.broken:
            self.verified += 1
            self.good_seq, self.good_hash = record.seq, record.hash
        for extra in self._extra(record, unlinked):
            self._fail(Problem(where, extra, seq=record.seq, record_id=record.pk), record)
        for anchor in self.anchors.pop(record.seq, []):
            self.anchors_checked += 1
            if anchor.hash != record.hash:
                self._fail(
                    Problem(
                        anchor.describe(),
                        f"the record at seq {record.seq} has hash {record.hash}, the anchor recorded "
                        f"{anchor.hash} (history rewritten and re-hashed, or the ledger replaced)",
                        seq=record.seq,
                        record_id=record.pk,
                    )
                )
        self.expected_seq, self.prev_hash, self.prev_id = record.seq + 1, record.hash, record.pk

    def _link(self, record: Record) -> str:
        """Why ``record`` does not continue the chain, or ""."""
        if record.seq != self.expected_seq:
            cause = "row deleted" if record.seq > self.expected_seq else "row inserted"
            return f"seq gap: expected {self.expected_seq}, found {record.seq} ({cause})"
        if record.pk <= self.prev_id:
            return (
                f"id {record.pk} is not above the previous record's id {self.prev_id} "
                "(ids swapped or renumbered)"
            )
        if self.prev_hash is not None and record.prev_hash != self.prev_hash:
            return (
                "prev_hash does not match previous record "
                "(row inserted or reordered, or the previous row edited and re-hashed)"
            )
        try:
            computed = record.compute_hash()
        except (TypeError, ValueError) as exc:
            return f"cannot be hashed ({exc}): a value was edited into something no record can hold"
        if record.hash != computed:
            return "hash mismatch (row edited)"
        return ""

    def _extra(self, record: Record, unlinked: set[int]) -> list[str]:
        """Checks beside the chain: the actor link and the corrected record."""
        found = []
        if record.actor_id is not None and record.actor_id != record.actor_user_id:
            found.append(
                f"actor {record.actor_id} is not the recorded actor {record.actor_user_id} (row edited)"
            )
        if record.actor_id is None and record.actor_user_id in unlinked:
            found.append(
                f"actor is NULL but user {record.actor_user_id} ({record.actor_username}) still exists "
                "(the link was cut by hand; it is only cleared when the user is deleted)"
            )
        if record.corrects_id is not None and record.corrects_seq is None:
            found.append(
                f"corrects id {record.corrects_id}, which is not in the ledger (row deleted or edited)"
            )
        return found

    def _unlinked_actors_who_exist(self, rows: list[_Row], using: str) -> set[int]:
        """Users that still exist among the page's records whose actor link is NULL (one query per page)."""
        ids = {
            row.record.actor_user_id for row in rows if row.record is not None and row.record.actor_id is None
        }
        if not ids:
            return set()
        users = get_user_model()._base_manager.using(using)
        return set(users.filter(pk__in=ids).values_list("pk", flat=True))

    def _fail(self, problem: Problem, record: Record | None = None) -> None:
        if record is not None and problem.where.startswith("seq "):
            problem = dataclasses.replace(problem, detail=_summary(record))
        self.report.add(problem)
        self.broken = True

    def finish(self, using: str) -> None:
        """Anchors never reached mean the chain stops short of a recorded head; rows never read, a bad seq."""
        head = self.last_seq
        for seq in sorted(self.anchors):
            for anchor in self.anchors[seq]:
                self.anchors_checked += 1
                if head is None or seq > head:
                    ends = f"ends at seq {head}" if head is not None else "is empty"
                    why = "records after it were deleted (tail cut), or the ledger was emptied or replaced"
                    message = f"the ledger {ends}, but seq {seq} was recorded with hash {anchor.hash}: {why}"
                else:
                    message = f"seq {seq} is missing from the ledger (row deleted or renumbered)"
                self._fail(Problem(anchor.describe(), message, seq=seq))
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(Record._meta.db_table)}")
            total = cursor.fetchone()[0]
        if total != self.read:
            self._fail(
                Problem(
                    "ledger_record", f"{total - self.read} rows have no seq and were not checked (NULL seq)"
                )
            )


def _summary(record: Record) -> str:
    actor = record.actor_username + (f" ({record.actor_name})" if record.actor_name else "")
    return f"{record.kind} by {actor}, recorded {record.recorded_at.isoformat()}"
