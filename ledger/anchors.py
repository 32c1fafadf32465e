"""External anchors: the ledger's head (seq, hash, time), appended daily to a file shipped off the server.

The chain alone proves the ledger is consistent, not that it is the one we wrote: a cut tail, an emptied
table or a history rewritten and re-hashed are all consistent. An anchor kept where the database cannot
reach catches them: the record at the anchored seq must still exist and still have the anchored hash.

One line per anchor, space-separated, ``#`` starts a comment line::

    2026-11-30T16:05:00Z seq=12345 hash=3f5c…(64 hex) canon=2
"""

from __future__ import annotations

import datetime
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from .models import CANONICAL_VERSION, Record

ANCHOR_FILE_NAME = "ledger-anchors.txt"
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
_HASH = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Anchor:
    """One anchor line: the head ``seq`` had ``hash`` at ``at`` (UTC), under canonical form ``canon``."""

    line: int
    at: str
    seq: int
    hash: str
    canon: int

    def describe(self) -> str:
        return f"anchor line {self.line} (seq {self.seq}, anchored {self.at})"


def anchor_file() -> Path:
    """The configured anchor file: ``LEDGER_ANCHOR_DIR/ledger-anchors.txt``."""
    return Path(settings.LEDGER_ANCHOR_DIR) / ANCHOR_FILE_NAME


def format_anchor(*, seq: int, digest: str, at: datetime.datetime, **notes: str) -> str:
    """One anchor line (no newline); ``notes`` become extra ``key=value`` fields that readers ignore."""
    stamp = at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    extra = "".join(f" {key.replace('_', '-')}={value}" for key, value in notes.items())
    return f"{stamp} seq={seq} hash={digest} canon={CANONICAL_VERSION}{extra}"


def append_line(path: Path, line: str) -> None:
    """Append ``line`` and force it to disk (the file is only ever appended to)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="ascii") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def anchor_append(path: Path | None = None, *, using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Append the head to ``path`` (default: the configured file); return the line, or None if empty."""
    head = Record.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    if head is None:
        return None
    line = format_anchor(seq=head[0], digest=head[1], at=datetime.datetime.now(datetime.UTC))
    append_line(path or anchor_file(), line)
    return line


def read_anchors(path: Path) -> tuple[list[Anchor], list[tuple[int, str]]]:
    """The anchors in ``path`` and its malformed lines as (line number, why); never raises on content."""
    anchors: list[Anchor] = []
    bad: list[tuple[int, str]] = []
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("ascii").strip()
            except UnicodeDecodeError:
                bad.append((number, "not ASCII text"))
                continue
            if not text or text.startswith("#"):
                continue
            anchor = _parse(number, text)
            if isinstance(anchor, str):
                bad.append((number, anchor))
            else:
                anchors.append(anchor)
    return anchors, bad


def _parse(number: int, text: str) -> Anchor | str:
    stamp, *pairs = text.split()
    fields = dict(pair.split("=", 1) for pair in pairs if "=" in pair)
    if not _TIME.match(stamp):
        return f"starts with {stamp[:40]!r}, not a UTC time like 2026-11-30T16:05:00Z"
    seq, hash_, canon = fields.get("seq", ""), fields.get("hash", ""), fields.get("canon", "")
    if not (seq.isdigit() and int(seq) >= 1):
        return "seq= is missing or not a positive whole number"
    if not _HASH.match(hash_):
        return "hash= is missing or not 64 lower-case hexadecimal characters"
    if not canon.isdigit():
        return "canon= is missing or not a whole number"
    return Anchor(line=number, at=stamp, seq=int(seq), hash=hash_, canon=int(canon))
