from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from quizzes.importing import FORMATS, QuestionImportError, parse_file, questions_import
from quizzes.models import QuestionType


class Command(BaseCommand):
    help = (
        "Import questions from a GIFT, Aiken or XLSX-template file, all or nothing. On any problem prints "
        "one “line N: message” per problem, imports nothing and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file's extension")
        parser.add_argument("--category", default="", help="base category path, e.g. 反洗錢/可疑交易")
        parser.add_argument("--dry-run", action="store_true", help="check the file and report, write nothing")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            parsed = parse_file(path.read_bytes(), path.name, options["format"])
            summary = questions_import(parsed, base_category=options["category"], dry_run=options["dry_run"])
        except QuestionImportError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise SystemExit(1) from None
        verb = "Would import" if summary.dry_run else "Imported"
        self.stdout.write(f"{verb} {summary.total} question(s) into {', '.join(summary.categories)}:")
        for kind in QuestionType:
            if summary.counts[kind]:
                self.stdout.write(f"  {kind.value:<11} {summary.counts[kind]}")
