"""``cityhall create_api_token USERNAME [--name N] [--scopes read,submit,staff] [--days D]``:
print a new bearer token for the API."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cityhall.accounts.models import ApiToken, User
from cityhall.accounts.tokens import create_api_token


class Command(BaseCommand):
    help = "Create an API bearer token for a user and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")
        parser.add_argument(
            "--scopes",
            default="",
            help="comma-separated: read, submit, staff (default: read and submit, and staff "
            "for staff)",
        )
        parser.add_argument("--days", type=int, default=0, help="expires after so many days")

    def handle(self, *args, username, name, scopes, days, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        chosen = [s.strip() for s in scopes.split(",") if s.strip()] or None
        unknown = set(chosen or ()) - set(ApiToken.Scope.values)
        if unknown:
            raise CommandError(f"unknown scopes: {', '.join(sorted(unknown))}")
        expires = timezone.now() + dt.timedelta(days=days) if days > 0 else None
        self.stdout.write(create_api_token(user=user, name=name, scopes=chosen, expires_at=expires))
