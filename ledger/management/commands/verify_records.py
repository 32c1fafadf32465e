"""manage.py verify_records: walk the ledger's hash chain and report the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ledger.services import ledger_verify


class Command(BaseCommand):
    help = "Verify the record ledger's hash chain. Exits 1 and names the first bad record if it is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=2000, help="Records per query (default 2000).")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, batch_size: int, database: str, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        result = ledger_verify(batch_size=batch_size, using=database)
        if result.ok:
            if not result.checked:
                self.stdout.write(self.style.SUCCESS("Ledger intact: 0 records (empty ledger)."))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Ledger intact: {result.checked:,} records, head seq {result.head_seq}, "
                        f"head hash {result.head_hash}"
                    )
                )
            return
        record = result.bad_record
        actor = record.actor_username + (f" ({record.actor_name})" if record.actor_name else "")
        raise CommandError(
            f"Ledger BROKEN at seq {result.bad_seq} (id {result.bad_id}): {result.reason}\n"
            f"  record: kind {record.kind}, actor {actor}, recorded_at {record.recorded_at.isoformat()}\n"
            f"  {result.checked:,} records before it verified"
            + (f" (last good seq {result.head_seq}, hash {result.head_hash})." if result.checked else "."),
            returncode=1,
        )
