"""manage.py backup FILE: a copy of the whole database (SQLite online backup, pg_dump, or portable JSON)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.backup import JSON, NATIVE, BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the whole database to FILE. native (default): SQLite's online backup API (safe while the "
        "site runs) or pg_dump's custom format. json: portable dumpdata, for moving SQLite to PostgreSQL "
        "(stop the site first). Restore with manage.py restore FILE; see docs/deploy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="Where to write; must not exist.")
        parser.add_argument(
            "--format", dest="fmt", choices=[NATIVE, JSON], default=NATIVE, help="native (default) or json."
        )
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, file: Path, fmt: str, database: str, **options: Any) -> None:
        try:
            kind = backup_create(file, fmt=fmt, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backed up to {file} ({kind}, {file.stat().st_size:,} bytes).")
