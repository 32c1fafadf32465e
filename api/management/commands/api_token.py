from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from rest_framework.authtoken.models import Token

from people.selectors import has_team


class Command(BaseCommand):
    help = "Print the HR API token of USERNAME (created on first use); --regenerate replaces it."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--regenerate", action="store_true", help="the old token stops working at once")

    def handle(self, *args, username, regenerate, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        if not has_team(user):
            raise CommandError(
                f"{username} has no team and no org-wide role: the API would show them nothing."
            )
        if regenerate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
