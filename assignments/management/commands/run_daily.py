from django.core.management.base import BaseCommand

from assignments.daily import daily_run


class Command(BaseCommand):
    help = (
        "The daily run: sync obligations, renew recurrences, mark overdue items and queue reminders, "
        "escalations and digests (sent by `manage.py db_worker`). Idempotent: safe to run twice."
    )

    def handle(self, *args, **options):
        report = daily_run()
        for line in report.lines():
            self.stdout.write(line)
