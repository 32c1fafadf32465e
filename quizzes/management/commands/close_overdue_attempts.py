from django.core.management.base import BaseCommand

from quizzes.services import attempts_close_overdue


class Command(BaseCommand):
    help = "Grade quiz attempts whose time ran out (deadline + grace) and were never submitted. For cron."

    def handle(self, *args, **options):
        closed = attempts_close_overdue()
        self.stdout.write(f"Closed {closed} overdue attempt(s).")
