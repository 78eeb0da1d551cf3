"""``cityhall match_registered_addresses``: link verified registered addresses that name no
building to the city's buildings again (after buildings were imported, or after the address
parser learnt to read flats: "ул. Короленко, д. 32, кв. 126" is the building "д. 32").

Each link found is audited (``accounts.registered_address_corrected``, the system as actor);
the address itself is not changed. Prints how many were linked and how many still match none.
"""

from django.core.management.base import BaseCommand

from cityhall.accounts import selectors, services
from cityhall.accounts.models import VerifiedIdentity


class Command(BaseCommand):
    help = "Match verified registered addresses without a building to the city's buildings."

    def handle(self, *args, **options):
        linked = unmatched = 0
        pending = (
            VerifiedIdentity.objects.filter(registered_building__isnull=True)
            .exclude(registered_address="")
            .select_related("user")
            .order_by("pk")
        )
        for identity in pending.iterator(chunk_size=500):
            if selectors.building_for_address(identity.registered_address) is None:
                unmatched += 1
                continue
            services.correct_registered_address(
                person=identity.user, address=identity.registered_address, actor=None
            )
            linked += 1
        self.stdout.write(f"linked {linked}; still matching no building {unmatched}")
