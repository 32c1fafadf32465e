from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from people.demo import DEMO_PASSWORD, demo_logins
from website.demo import load_all


class Command(BaseCommand):
    help = (
        "Load the demo bank (people, procedures, regulations, …). Safe to run again; refused in production."
    )

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "load_demo is refused with these settings (DEMO_DATA_ALLOWED is off, e.g. production)."
            )
        for line in load_all():  # `make run` rebuilds the search index right after
            self.stdout.write(self.style.SUCCESS(f"Demo: {line}."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, what in demo_logins():
            self.stdout.write(f"  {username:<12} {what}")
