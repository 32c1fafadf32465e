from django.core.management.base import BaseCommand

from assignments.services import audience_materialise, rules_materialise


class Command(BaseCommand):
    help = (
        "Fill the obligation table from what content owes today (page audiences) and from every rule. "
        "Run once after the first migration on an existing site; idempotent (run_daily does it too)."
    )

    def handle(self, *args, **options):
        changes = audience_materialise()
        changes += rules_materialise()
        self.stdout.write(
            f"obligations created {changes.created}, withdrawn {changes.withdrawn}, "
            f"due dates moved {changes.updated}"
        )
