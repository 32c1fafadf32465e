from django.core.management.base import BaseCommand

from notifications.services import retry_failed_emails


class Command(BaseCommand):
    help = "Queue every email that failed five times again (after the mail server is fixed)."

    def handle(self, *args, **options):
        count = retry_failed_emails()
        self.stdout.write(f"Queued {count} failed email(s) again; manage.py db_worker sends them.")
