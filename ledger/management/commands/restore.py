"""manage.py restore FILE: replace the database's contents with a backup, then verify the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.backup import BackupError, backup_kind, backup_restore, unapplied_migrations


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup in FILE (made by manage.py backup), all or "
        "nothing, then run verify_records. Stop the web and worker processes first; see docs/deploy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="A backup made by manage.py backup.")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="Do not ask first.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, file: Path, interactive: bool, database: str, **options: Any) -> None:
        try:
            kind = backup_kind(file)
            if (
                interactive
                and input(
                    f"This replaces ALL data in the {database!r} database with {file} ({kind}). Type 'yes': "
                )
                != "yes"
            ):
                self.stdout.write("Restore cancelled.")
                return
            backup_restore(file, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {file} ({kind}).")
        if missing := unapplied_migrations(database):
            self.stdout.write(f"The backup predates {len(missing)} migrations: run manage.py migrate next.")
        self.stdout.write("Rebuild the search index next: manage.py update_index.")
        try:
            call_command("verify_records", database=database, stdout=self.stdout, stderr=self.stderr)
        except CommandError as exc:
            raise CommandError(
                f"{exc}\nThe restore is done, but the ledger does not verify. After restoring an older "
                "backup on purpose, the anchors beyond its head name the evidence written since and now "
                "lost: record them with the incident (docs/deploy.md, Restoring).",
                returncode=1,
            ) from exc
