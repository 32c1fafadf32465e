"""manage.py ledger_anchor: print the ledger's head and append it to the anchor file (run it daily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.anchors import anchor_append, anchor_file


class Command(BaseCommand):
    help = (
        "Append the ledger's head (seq, hash, UTC time) to the anchor file and print the line. Run it once a "
        "day and ship the file off the server (docs/deploy.md); verify_records compares the ledger with it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file",
            type=Path,
            metavar="FILE",
            help="Anchor file to append to (default: ledger-anchors.txt in LEDGER_ANCHOR_DIR).",
        )
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, file: Path | None, database: str, **options: Any) -> None:
        path = file or anchor_file()
        try:
            line = anchor_append(path, using=database)
        except OSError as exc:
            raise CommandError(f"Cannot append to {path}: {exc.strerror or exc}") from exc
        if line is None:
            self.stderr.write("The ledger is empty: nothing to anchor.")
            return
        self.stdout.write(line)
