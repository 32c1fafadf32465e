"""Writing to the ledger: the only writer. Verifying is ``ledger.verification``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, Record, to_millisecond

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Key of the PostgreSQL transaction-level advisory lock that serialises appends ("SERVLEDG" in ASCII).
LEDGER_LOCK_KEY = 0x5345_5256_4C45_4447
# Clocks differ a little between app servers; anything further ahead is a bug, not evidence.
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)

ERR_ACTOR = "actor must be a saved user."
ERR_CORRECTS = "corrects must be a saved ledger record."
ERR_REASON = "A correction needs a reason."
ERR_ALREADY_CORRECTED = "Record #{seq} has already been corrected by record #{by}; correct that one instead."
ERR_NAIVE = "occurred_at must include a time zone."
ERR_FUTURE = "occurred_at is in the future."
ERR_SCORE = "score must be a decimal number, e.g. 85 or 85.50."
ERR_DATA = "data{path}: {problem}."

CORRECTABLE_FIELDS = frozenset(
    {"kind", "subject_type", "page_id", "revision_id", "title", "outcome", "score", "data", "occurred_at"}
)


# --- writing ---------------------------------------------------------------------------------------------


def record_append(
    *,
    kind: str,
    actor: AbstractBaseUser,
    subject_type: str,
    page_id: int | None = None,
    revision_id: int | None = None,
    title: str,
    outcome: str,
    score: Decimal | int | str | None = None,
    data: Mapping[str, Any] | None = None,
    corrects: Record | None = None,
    occurred_at: datetime.datetime | None = None,
) -> Record:
    """Append one record to the chain and return it.

    Safe inside an outer transaction: the record commits (or rolls back) with it, and other writers wait
    for that transaction to end. Raises ValidationError naming the field on bad input.
    """
    if actor is None or getattr(actor, "pk", None) is None:
        raise ValidationError({"actor": ERR_ACTOR})
    profile = getattr(actor, "staff_profile", None)  # a missing profile raises AttributeError → None
    record = Record(
        kind=kind,
        actor=actor,
        actor_user_id=actor.pk,
        actor_username=actor.get_username(),
        actor_name=profile.display_name if profile else _full_name(actor),
        actor_employee_number=profile.employee_number if profile else "",
        subject_type=subject_type,
        page_id=page_id,
        revision_id=revision_id,
        title=title,
        outcome=outcome,
        score=score,
        data=data if data is not None else {},
        corrects=corrects,
        occurred_at=occurred_at,
    )
    return _append(record)


def records_append_bulk(entries: Iterable[Mapping[str, Any]], *, batch_size: int = 2000) -> list[Record]:
    """Append many records in one transaction, in order, each chained to the one before, and return them.

    For generators of synthetic data (``manage.py generate_scale_data``) and imports of past evidence: each
    entry takes ``record_append``'s keyword arguments (``actor`` is a saved user whose ``staff_profile`` is
    read as there; ``corrects`` is not supported). Every record is validated and hashed exactly as
    ``record_append`` does; the inserts go in batches under the ledger lock, so ``verify_records`` sees one
    unbroken chain. Raises ValidationError on the first bad entry, and then nothing is written.
    """
    records = []
    for entry in entries:
        actor = entry["actor"]
        if actor is None or getattr(actor, "pk", None) is None:
            raise ValidationError({"actor": ERR_ACTOR})
        profile = getattr(actor, "staff_profile", None)
        record = Record(
            kind=entry["kind"],
            actor=actor,
            actor_user_id=actor.pk,
            actor_username=actor.get_username(),
            actor_name=profile.display_name if profile else _full_name(actor),
            actor_employee_number=profile.employee_number if profile else "",
            subject_type=entry["subject_type"],
            page_id=entry.get("page_id"),
            revision_id=entry.get("revision_id"),
            title=entry["title"],
            outcome=entry["outcome"],
            score=entry.get("score"),
            data=entry.get("data") or {},
            occurred_at=entry.get("occurred_at"),
        )
        _validate(record)
        records.append(record)
    using = DEFAULT_DB_ALIAS
    with transaction.atomic(using=using):
        _lock_ledger(using)
        head = Record.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = head if head else (0, GENESIS_HASH)
        recorded_at = to_millisecond(timezone.now())
        for record in records:
            seq += 1
            record.seq, record.prev_hash, record.recorded_at = seq, prev_hash, recorded_at
            if record.occurred_at is None:
                record.occurred_at = recorded_at
            record.hash = prev_hash = record.compute_hash()
        # The chain is computed above exactly as _append does; the plain QuerySet's bulk_create inserts it
        # (RecordQuerySet.bulk_create refuses on purpose: records must not arrive without their chain).
        models.QuerySet.bulk_create(Record.objects.using(using).all(), records, batch_size=batch_size)
    return records


def record_correct(original: Record, *, by: AbstractBaseUser, reason: str, **changes: Any) -> Record:
    """Append a record that corrects ``original`` (which stays untouched) and return it.

    The correction keeps the original's actor, kind and fields except those in ``changes``; ``by`` is who
    made the correction, kept with ``reason`` in ``data["correction"]``. Only the latest record of a
    correction chain may be corrected, so ``Record.objects.current()`` holds one word per event.
    """
    if unknown := sorted(set(changes) - CORRECTABLE_FIELDS):
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed by a correction."))
    if original is None or original.pk is None:
        raise ValidationError({"corrects": ERR_CORRECTS})
    if by is None or getattr(by, "pk", None) is None:
        raise ValidationError({"by": ERR_ACTOR})
    if not (reason or "").strip():
        raise ValidationError({"reason": ERR_REASON})

    base_data = changes.get("data", original.data)
    if not isinstance(base_data, Mapping):
        raise ValidationError({"data": ERR_DATA.format(path="", problem="must be a dictionary")})
    data = dict(base_data)
    data["correction"] = {
        "reason": reason.strip(),
        "by_user_id": by.pk,
        "by_username": by.get_username(),
        "by_name": _display_name(by),
    }
    fields = {name: changes.get(name, getattr(original, name)) for name in CORRECTABLE_FIELDS - {"data"}}
    record = Record(
        **fields,
        data=data,
        actor_id=original.actor_id,
        actor_user_id=original.actor_user_id,
        actor_username=original.actor_username,
        actor_name=original.actor_name,
        actor_employee_number=original.actor_employee_number,
        corrects=original,
    )

    return _append(record)


def _append(record: Record, *, using: str = DEFAULT_DB_ALIAS) -> Record:
    """Validate ``record``, then give it the next seq and its hash and insert it, holding the ledger lock."""
    _validate(record)
    with transaction.atomic(using=using):
        _lock_ledger(using)
        if record.corrects_id is not None:  # under the lock, so two corrections cannot both pass
            later = (
                Record.objects.using(using)
                .filter(corrects_id=record.corrects_id)
                .values_list("seq", flat=True)
            )
            if (later_seq := later.first()) is not None:
                raise ValidationError(
                    {"corrects": ERR_ALREADY_CORRECTED.format(seq=record.corrects.seq, by=later_seq)}
                )
        head = Record.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
        record.seq, record.prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
        record.recorded_at = to_millisecond(timezone.now())  # stored as hashed: any faithful copy keeps it
        if record.occurred_at is None:
            record.occurred_at = record.recorded_at
        record.hash = record.compute_hash()
        record.save(using=using)
    return record


def _lock_ledger(using: str) -> None:
    """Make concurrent appends take turns until the current transaction ends."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LEDGER_LOCK_KEY])
    elif connection.vendor == "sqlite":
        # With transaction_mode IMMEDIATE (settings.base.SQLITE_OPTIONS) the outermost atomic() began with
        # BEGIN IMMEDIATE, so this connection already holds SQLite's single write lock: nobody else can
        # append between our read of the head and our insert. DEFERRED would let two writers read the same
        # head (the unique seq would then refuse one of them), so refuse to run that way.
        mode = (connection.settings_dict.get("OPTIONS") or {}).get("transaction_mode")
        if mode not in {"IMMEDIATE", "EXCLUSIVE"}:
            raise ImproperlyConfigured(
                'The ledger needs SQLite OPTIONS["transaction_mode"] = "IMMEDIATE" to serialise writers.'
            )
    else:
        raise ImproperlyConfigured(f"The ledger supports PostgreSQL and SQLite, not {connection.vendor}.")


def _validate(record: Record) -> None:
    """Normalise values to what the database gives back (so the hash survives a round trip) and check them."""
    errors: dict[str, list[str]] = {}
    try:
        record.score = _to_decimal(record.score)
    except ValidationError as exc:
        errors["score"] = exc.messages
    if not isinstance(record.data, Mapping):
        errors["data"] = [ERR_DATA.format(path="", problem="must be a dictionary")]
    else:
        try:
            record.data = _normalise_json(record.data, "")
        except ValidationError as exc:
            errors["data"] = exc.messages
    if record.occurred_at is not None:
        if timezone.is_naive(record.occurred_at):
            errors["occurred_at"] = [ERR_NAIVE]
        elif record.occurred_at > timezone.now() + FUTURE_TOLERANCE:
            errors["occurred_at"] = [ERR_FUTURE]
        else:
            record.occurred_at = to_millisecond(record.occurred_at)
    if record.corrects is not None and (record.corrects.pk is None or not record.corrects.seq):
        errors["corrects"] = [ERR_CORRECTS]
    try:
        # Foreign keys are checked above (their validators would cost a query each); occurred_at may be
        # None until it defaults to recorded_at under the lock; the chain fields are computed there.
        record.clean_fields(
            exclude=["actor", "corrects", "occurred_at", "seq", "recorded_at", "prev_hash", "hash", *errors]
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)


def _to_decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationError(ERR_SCORE)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValidationError(ERR_SCORE) from exc
    if not number.is_finite():
        raise ValidationError(ERR_SCORE)
    return number


def _normalise_json(value: Any, path: str) -> Any:
    """Copy ``value`` as plain JSON (dict/list/str/int/bool/None), refusing what would not round-trip.

    Floats and Decimals are refused (PostgreSQL's jsonb rewrites some numbers, so the hash would change):
    store exact numbers as strings, e.g. "85.50".
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(ERR_DATA.format(path=path, problem="NUL characters are not allowed"))
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError(ERR_DATA.format(path=path, problem=f"key {key!r} is not a string"))
            out[key] = _normalise_json(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [_normalise_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    problem = f"{type(value).__name__} is not allowed (use str, int, bool, None, list or dict)"
    if isinstance(value, float | Decimal):
        problem += '; write exact numbers as strings, e.g. "85.50"'
    raise ValidationError(ERR_DATA.format(path=path, problem=problem))


def _full_name(user: AbstractBaseUser) -> str:
    get_full_name = getattr(user, "get_full_name", None)
    return (get_full_name() if get_full_name else "").strip()[
        : Record._meta.get_field("actor_name").max_length
    ]


def _display_name(user: AbstractBaseUser) -> str:
    profile = getattr(user, "staff_profile", None)
    return profile.display_name if profile else _full_name(user)
