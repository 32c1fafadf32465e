"""``manage.py import_staff FILE [--dry-run]``: the HR staff import from the command line."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from people.importing import ImportResult, StaffImportError, parse_staff_file, staff_import


class Command(BaseCommand):
    help = "Import staff from an HR CSV or XLSX file: all rows or none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV (UTF-8) or XLSX file with a header row")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")

    def handle(self, *args, file: Path, dry_run: bool, verbosity: int, **options) -> None:
        try:
            with file.open("rb") as handle:
                rows = parse_staff_file(handle, file.name)
            result = staff_import(rows, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from exc
        except StaffImportError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                _("Nothing was imported: %(count)s problem(s) found.") % {"count": len(exc.issues)}
            ) from exc
        self._report(result, verbosity=verbosity)

    def _report(self, result: ImportResult, *, verbosity: int) -> None:
        if verbosity >= 2:
            for row in result.changed_rows:
                details = "; ".join(f"{c.label}: {c.old or '—'} → {c.new or '—'}" for c in row.changes)
                self.stdout.write(
                    f"{row.line}\t{row.action_label}\t{row.employee_number}\t{row.name}\t{details}"
                )
        summary = _(
            "%(created)s created, %(updated)s updated, %(deactivated)s deactivated, %(unchanged)s unchanged."
        ) % {
            "created": result.created,
            "updated": result.updated,
            "deactivated": result.deactivated,
            "unchanged": result.unchanged,
        }
        if result.dry_run:
            summary = _("Dry run, nothing written: %(summary)s") % {"summary": summary}
        self.stdout.write(self.style.SUCCESS(summary))
