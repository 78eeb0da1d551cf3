"""``cityhall totp_code USERNAME``: print the current code of the person's authenticator.

For the demo and for operators' support (a colleague on the phone whose app is out of sync);
it reads the confirmed TOTP device only and changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from cityhall.accounts.models import User
from cityhall.accounts.second_factor import confirmed_device, current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's confirmed authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(
                f"{username!r} has no confirmed authenticator; run: cityhall totp_setup {username}"
            )
        self.stdout.write(current_code(device))
