"""``cityhall identity_portal_accounts``: print the demo identity portal's people as JSON (the
``OIDC_ACCOUNTS`` of tests/oidc_provider/server.js, which ``scripts/demo-identity-portal``
starts for ``make demo``)."""

import json

from django.core.management.base import BaseCommand

from cityhall.accounts.demo import identity_portal_accounts


class Command(BaseCommand):
    help = "Print the claims of the demo identity portal's people as JSON."

    def handle(self, *args, **options):
        self.stdout.write(json.dumps(identity_portal_accounts(), ensure_ascii=False))
