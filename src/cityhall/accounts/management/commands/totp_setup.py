"""``cityhall totp_setup USERNAME [--reset]``: give a person a confirmed authenticator and print
its ``otpauth://`` URI (to turn into a QR code or type into an app).

Returns the existing authenticator unless ``--reset``; every new one is audited.
"""

from django.core.management.base import BaseCommand, CommandError

from cityhall.accounts.models import User
from cityhall.accounts.services import provision_totp_device


class Command(BaseCommand):
    help = "Create (or show) a user's TOTP authenticator and print its otpauth:// URI."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="replace the existing authenticator"
        )

    def handle(self, *args, username, reset, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        device = provision_totp_device(actor=None, user=user, reset=reset)
        self.stdout.write(device.config_url)
