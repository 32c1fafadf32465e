import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from website.demo import load_all
from website.scale import Generator
from website.search.bulk import indexing_paused


class Command(BaseCommand):
    help = (
        "Build a synthetic bank for benchmarks on top of the demo: 5,000 staff in a 6-level org, 60 courses, "
        "250,000 obligations, quiz attempts and acknowledgements (bulk inserts; a few minutes). "
        "Use a fresh database (DATABASE_URL); refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--staff", type=int, default=5000)
        parser.add_argument("--levels", type=int, default=6)
        parser.add_argument("--courses", type=int, default=60)
        parser.add_argument("--obligations", type=int, default=250_000)
        parser.add_argument("--attempts", type=int, default=8, help="graded quiz attempts per person")
        parser.add_argument("--seed", type=int, default=14)
        parser.add_argument("--no-demo", action="store_true", help="do not load the demo first")

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "generate_scale_data is refused with these settings (DEMO_DATA_ALLOWED is off)."
            )
        for name in ("staff", "levels", "courses", "obligations"):
            if options[name] < 1 or options[name] > 10_000_000:
                raise CommandError(f"--{name} must be between 1 and 10,000,000.")
        if options["levels"] < 2:
            raise CommandError("--levels must be at least 2.")
        started = time.perf_counter()
        with indexing_paused():
            if not options["no_demo"]:
                for line in load_all():
                    self.stdout.write(f"Demo: {line}.")
            generator = Generator(
                staff=options["staff"],
                levels=options["levels"],
                courses=options["courses"],
                obligations=options["obligations"],
                attempts=options["attempts"],
                seed=options["seed"],
                log=lambda line: self.stdout.write(f"{time.perf_counter() - started:7.1f} s  {line}"),
            )
            try:
                generator.run()
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic bank ready in {time.perf_counter() - started:.0f} s.")
        )
