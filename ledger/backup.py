"""Backups and restores of the whole database, and the portable copy that moves SQLite to PostgreSQL.

Three kinds of file, told apart by their first bytes:

- **SQLite** (``native`` on SQLite): SQLite's online backup API, a consistent copy while the site runs.
- **PostgreSQL custom dump** (``native`` on PostgreSQL): ``pg_dump --format=custom``; restored with
  ``pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction``.
- **JSON** (``json``, any database): Django's ``dumpdata`` of every table but the search index, with
  primary keys as they are (no natural keys: records of deleted pages point at ids that no longer resolve),
  content types and permissions first. Restored by emptying the migrated target and ``loaddata`` in one
  transaction in ledger maintenance mode. This is the supported SQLite → PostgreSQL move.

The ledger's hash covers only what every one of these keeps, so ``verify_records`` passes after each.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.management.sql import sql_flush
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from .maintenance import ledger_maintenance

NATIVE, JSON = "native", "json"
SQLITE_FILE, POSTGRES_DUMP, JSON_FILE = "sqlite", "postgres-dump", "json"
JSON_SUFFIXES = (".json", ".json.gz", ".json.bz2", ".json.xz", ".json.lzma")
# Derived data rebuilt by `manage.py update_index`, never restored.
NOT_DUMPED = {"wagtailsearch"}
FIRST = ["contenttypes", "auth"]  # loaded before anything whose signal handlers might look them up


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backup_create(path: Path, *, fmt: str = NATIVE, using: str = DEFAULT_DB_ALIAS) -> str:
    """Write a backup of the whole database to ``path`` (which must not exist); return its kind."""
    if path.exists():
        raise BackupError(f"{path} already exists; backups never overwrite a file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    if fmt == JSON:
        _dump_json(path, using)
        return JSON_FILE
    if connection.vendor == "sqlite":
        _sqlite_backup(path, using)
        return SQLITE_FILE
    if connection.vendor == "postgresql":
        _pg("pg_dump", ["--format=custom", "--file", str(path)], using)
        return POSTGRES_DUMP
    raise BackupError(f"No native backup for {connection.vendor}; use --format json.")


def backup_kind(path: Path) -> str:
    """What ``path`` holds: an SQLite database, a PostgreSQL custom dump or (by its name) JSON."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}") from exc
    if head == b"SQLite format 3\x00":
        return SQLITE_FILE
    if head.startswith(b"PGDMP"):
        return POSTGRES_DUMP
    if path.name.endswith(JSON_SUFFIXES):
        return JSON_FILE
    raise BackupError(
        f"{path} is not an SQLite database, a PostgreSQL custom dump or a .json[.gz|.bz2|.xz] dump."
    )


def backup_restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """Replace the database's contents with the backup in ``path``; return its kind. All or nothing."""
    kind = backup_kind(path)
    vendor = connections[using].vendor
    if kind == SQLITE_FILE:
        if vendor != "sqlite":
            raise BackupError(f"{path} is an SQLite database; this site runs on {vendor} (move with JSON).")
        _sqlite_restore(path, using)
    elif kind == POSTGRES_DUMP:
        if vendor != "postgresql":
            raise BackupError(f"{path} is a PostgreSQL dump; this site runs on {vendor} (move with JSON).")
        name = connections[using].settings_dict["NAME"]
        restore = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
        _pg("pg_restore", [*restore, "--exit-on-error", "--dbname", name, str(path)], using)
    else:
        _load_json(path, using)
    connections[using].close()
    ContentType.objects.clear_cache()
    return kind


def unapplied_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations the database still lacks ("app.name"); a JSON restore needs none missing."""
    executor = MigrationExecutor(connections[using])
    targets = executor.loader.graph.leaf_nodes()
    return [f"{m.app_label}.{m.name}" for m, _backwards in executor.migration_plan(targets)]


# --- SQLite -------------------------------------------------------------------------------------------------


def _sqlite_backup(path: Path, using: str) -> None:
    connection = connections[using]
    connection.ensure_connection()
    partial = path.with_name(path.name + ".partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)  # a consistent snapshot; writers carry on (WAL)
    finally:
        target.close()
    partial.replace(path)


def _sqlite_restore(path: Path, using: str) -> None:
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if (check := source.execute("PRAGMA quick_check").fetchone()[0]) != "ok":
            raise BackupError(f"{path} is damaged (PRAGMA quick_check: {check}); nothing was restored.")
        connection = connections[using]
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise BackupError("An SQLite restore cannot run inside a transaction.")
        source.backup(connection.connection)  # page by page into the live file, under its write lock
    finally:
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------------


def _pg(program: str, args: list[str], using: str) -> None:
    """Run pg_dump/pg_restore against ``using``, its connection settings in libpq's PG* variables."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            f"{program} is not installed (Debian: apt-get install postgresql-client); see docs/deploy.md."
        )
    settings = connections[using].settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        if settings.get(key):
            env[variable] = str(settings[key])
    if sslmode := (settings.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = sslmode
    done = subprocess.run([executable, *args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{program} failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")


# --- JSON ---------------------------------------------------------------------------------------------------


def _dump_json(path: Path, using: str) -> None:
    if not path.name.endswith(JSON_SUFFIXES):
        raise BackupError(f"A JSON backup's name must end with {', '.join(JSON_SUFFIXES)}.")
    labels = [config.label for config in apps.get_app_configs() if list(config.get_models())]
    ordered = [label for label in FIRST if label in labels] + [
        label for label in labels if label not in FIRST and label not in NOT_DUMPED
    ]
    partial = path.with_name(".partial-" + path.name)  # keeps the suffix dumpdata compresses by
    call_command("dumpdata", *ordered, all=True, database=using, output=str(partial), verbosity=0)
    partial.replace(path)


def _load_json(path: Path, using: str) -> None:
    if missing := unapplied_migrations(using):
        raise BackupError(
            f"Run manage.py migrate first: the database lacks {len(missing)} migrations (e.g. {missing[0]})."
        )
    connection = connections[using]
    with ledger_maintenance(using):
        tables = sql_flush(no_style(), connection, reset_sequences=True, allow_cascade=False)
        connection.ops.execute_sql_flush(tables)
        ContentType.objects.clear_cache()
        call_command("loaddata", str(path), database=using, verbosity=0)
