"""``cityhall create_api_token USERNAME``: print a new bearer token for the API."""

from django.core.management.base import BaseCommand, CommandError

from cityhall.accounts.models import User
from cityhall.accounts.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        self.stdout.write(create_api_token(user=user, name=name))
