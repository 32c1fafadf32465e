from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb import demo as kb_demo
from kb.demo_regulations import load_regulations
from people import demo as people_demo
from quizzes import demo as quizzes_demo
from website import demo
from website.search.bulk import indexing_paused


class Command(BaseCommand):
    help = "Load the demo bank (site tree, people, roles). Safe to run again; refused in production."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "load_demo is refused with these settings (DEMO_DATA_ALLOWED is off, e.g. production)."
            )
        with indexing_paused():  # `make run` rebuilds the search index right after
            home = demo.ensure_site()
            profiles = people_demo.load_people()
            procedures = kb_demo.load_procedures(home)
            regulations = load_regulations(home)
            questions, attempts, checks = quizzes_demo.load_quizzes()
            kb_demo.attach_comprehension_checks(checks)
            demo.settle_demo_notifications()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(profiles)} staff profiles."))
        if procedures:
            self.stdout.write(self.style.SUCCESS(f"Loaded {procedures} procedures in ten duty areas."))
        else:
            self.stdout.write("Procedures were already loaded; left as they are.")
        if regulations:
            self.stdout.write(self.style.SUCCESS(f"Loaded {regulations} regulation updates."))
        if questions:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {questions} quiz questions and {attempts} attempts.")
            )
        self.stdout.write(f"Demo logins (password for all: {people_demo.DEMO_PASSWORD}):")
        for username, what in people_demo.demo_logins():
            self.stdout.write(f"  {username:<12} {what}")
