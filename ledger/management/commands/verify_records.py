"""manage.py verify_records: check the hash chain, the anchors and the derived tables; list every problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from ledger.anchors import anchor_file
from ledger.verification import VerificationResult, ledger_verify


class Command(BaseCommand):
    help = (
        "Verify the record ledger: its hash chain, the anchors (heads recorded outside the database) and the "
        "tables derived from it. Exits 1 and lists every problem, naming the record, anchor line or row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, help="Records per query (default 2000).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")
        anchors = parser.add_mutually_exclusive_group()
        anchors.add_argument(
            "--anchors",
            type=Path,
            metavar="FILE",
            help="Anchor file to compare with (default: the configured file, LEDGER_ANCHOR_DIR, if present).",
        )
        anchors.add_argument("--no-anchors", action="store_true", help="Check the chain without anchors.")

    def handle(
        self,
        *args: Any,
        batch_size: int,
        database: str,
        anchors: Path | None,
        no_anchors: bool,
        **options: Any,
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if anchors is not None and not anchors.is_file():
            raise CommandError(f"Anchor file {anchors} does not exist.")
        default = anchor_file()
        if anchors is None and not no_anchors and default.is_file():
            anchors = default
        try:
            result = ledger_verify(batch_size=batch_size, anchors=anchors, using=database)
        except DatabaseError as exc:  # no ledger table at all (an empty or foreign database)
            raise CommandError(f"Cannot read the ledger: {exc}", returncode=1) from exc
        if not result.ok:
            raise CommandError(self.failure(result), returncode=1)
        if not result.checked:
            self.stdout.write(self.style.SUCCESS("Ledger intact: 0 records (empty ledger)."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Ledger intact: {result.checked:,} records, head seq {result.head_seq}, "
                    f"head hash {result.head_hash}"
                )
            )
        self.stdout.write(self.anchor_line(result, default, no_anchors))
        if result.derived:
            self.stdout.write(f"Derived tables agree with the ledger: {', '.join(result.derived)}.")

    def anchor_line(self, result: VerificationResult, default: Path, no_anchors: bool) -> str:
        check = result.anchors
        if check is None:
            if no_anchors:
                return "Anchors: not checked (--no-anchors)."
            return (
                f"Anchors: no anchor file at {default}, so a cut tail or an emptied ledger goes unnoticed "
                "(run manage.py ledger_anchor daily; docs/ledger.md)."
            )
        text = f"Anchors: {check.checked} of {check.path} checked"
        if check.latest is not None:
            text += f", the latest seq {check.latest.seq} ({check.latest.at})"
        if check.skipped_older:
            text += f"; {check.skipped_older} of an earlier canonical form skipped (see the re-hash note)"
        return text + "."

    def failure(self, result: VerificationResult) -> str:
        count = len(result.problems) + result.omitted
        lines = [f"Ledger BROKEN: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {problem}" for problem in result.problems]
        if result.omitted:
            lines.append(f"  … and {result.omitted} more")
        if result.verified:
            lines.append(
                f"{result.checked:,} records read; the first {result.verified:,} verified "
                f"(last good seq {result.good_seq}, hash {result.good_hash})."
            )
        else:
            lines.append(f"{result.checked:,} records read; none verified before the first problem.")
        return "\n".join(lines)
