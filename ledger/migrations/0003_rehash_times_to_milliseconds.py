"""Re-hash the chain from canonical form 1 (times with microseconds) to 2 (times cut to whole milliseconds).

Django's JSON dump keeps milliseconds only, so a version-1 chain broke on every dumpdata/loaddata copy. This
migration first verifies the whole chain under form 1 and refuses to go on if it is broken (re-hashing would
launder the tampering), then rewrites ``prev_hash`` and ``hash`` of every record in seq order under form 2.
No evidence field changes. It prints the old head → new head and appends the same as a note line to the
anchor file; docs/ledger.md ("Re-hashing") says what an auditor checks. The formulas are frozen here on
purpose: the models' canonical form may change again, this migration must not.
"""

import datetime
import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import migrations

GENESIS = "0" * 64
PAGE = 2000
BROKEN_ENV = "LEDGER_REHASH_BROKEN_CHAIN"  # "accept": re-hash a broken chain anyway, noting where it broke


def _time_v1(value):
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _time_v2(value):
    v = value.astimezone(datetime.UTC)
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}."
        f"{v.microsecond // 1000:03d}Z"
    )


def _hasher(format_time):
    def default(value):
        if isinstance(value, Decimal):
            return format(value.quantize(Decimal("0.01")), "f")
        if isinstance(value, datetime.datetime):
            return format_time(value)
        raise TypeError(f"{type(value).__name__} is not allowed in a ledger record")

    def chain_hash(prev_hash, row):
        canonical = json.dumps(
            {
                "seq": row.seq,
                "kind": row.kind,
                "actor_user_id": row.actor_user_id,
                "actor_username": row.actor_username,
                "actor_name": row.actor_name,
                "actor_employee_number": row.actor_employee_number,
                "subject_type": row.subject_type,
                "page_id": row.page_id,
                "revision_id": row.revision_id,
                "title": row.title,
                "outcome": row.outcome,
                "score": row.score,
                "data": row.data,
                "occurred_at": row.occurred_at,
                "recorded_at": row.recorded_at,
                "corrects_seq": row.rehash_corrects_seq,
            },
            default=default,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=True,
            allow_nan=False,
        )
        return hashlib.sha256((prev_hash + canonical).encode("ascii")).hexdigest()

    return chain_hash


HASH = {1: _hasher(_time_v1), 2: _hasher(_time_v2)}


def rehash(apps, schema_editor, *, old, new):
    """Verify the chain under form ``old``, then store form ``new`` hashes; returns (count, head, old, new)."""
    from django.db.models import F

    Record = apps.get_model("ledger", "Record")
    connection = schema_editor.connection
    table = connection.ops.quote_name(Record._meta.db_table)
    rows = Record.objects.using(connection.alias).annotate(rehash_corrects_seq=F("corrects__seq")).order_by("seq")
    expected, prev_old, prev_new, count, broken = 1, GENESIS, GENESIS, 0, None
    last_seq = 0
    while page := list(rows.filter(seq__gt=last_seq)[:PAGE]):
        updates = []
        for row in page:
            if broken is None:
                if row.seq != expected:
                    broken = f"seq {row.seq}: seq gap, expected {expected}"
                elif row.prev_hash != prev_old:
                    broken = f"seq {row.seq}: prev_hash does not match the previous record"
                elif row.hash != HASH[old](prev_old, row):
                    broken = f"seq {row.seq}: hash mismatch (row edited)"
                if broken and os.environ.get(BROKEN_ENV) != "accept":
                    raise RuntimeError(
                        f"The ledger's chain is already broken under canonical form {old} at {broken}. "
                        "Re-hashing it would hide that, so the migration stops. Find out what happened "
                        "(manage.py verify_records on the previous release), restore the ledger from a backup, "
                        f"or set {BROKEN_ENV}=accept to re-hash anyway with the break noted (docs/ledger.md)."
                    )
            digest = HASH[new](prev_new, row)
            updates.append((prev_new, digest, row.pk))
            expected, prev_old, prev_new, count = row.seq + 1, row.hash, digest, count + 1
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", updates)
        last_seq = page[-1].seq
    if count:
        _note(count, last_seq, prev_old, prev_new, old, new, broken)


def _note(count, head_seq, old_hash, new_hash, old, new, broken):
    now = datetime.datetime.now(datetime.UTC)
    extra = f" old-canon={old} rehashed-from={old_hash}"
    if broken:
        extra += " broken-before-rehash=" + broken.split(":")[0].replace(" ", "")
    line = f"{now:%Y-%m-%dT%H:%M:%SZ} seq={head_seq} hash={new_hash} canon={new}{extra}"
    print(
        f"\n  Ledger re-hashed from canonical form {old} to {new}: {count} records."
        f"\n  Old head: seq {head_seq} hash {old_hash}"
        f"\n  New head: seq {head_seq} hash {new_hash}"
        + (f"\n  WARNING: the chain was broken before the re-hash at {broken}." if broken else "")
    )
    directory = getattr(settings, "LEDGER_ANCHOR_DIR", None)
    if directory is None:
        return
    path = Path(directory) / "ledger-anchors.txt"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="ascii") as handle:
            handle.write(line + "\n")
        print(f"  Note appended to {path}; ship it to the anchor archive (docs/ledger.md, Re-hashing).")
    except OSError as exc:
        print(f"  Could not write {path} ({exc}); record this line in the anchor archive by hand:\n  {line}")


def forwards(apps, schema_editor):
    rehash(apps, schema_editor, old=1, new=2)


def backwards(apps, schema_editor):
    rehash(apps, schema_editor, old=2, new=1)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_outcome_reviewed"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
