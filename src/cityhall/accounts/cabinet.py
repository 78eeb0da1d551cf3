"""The "My profile and verification" section of the personal cabinet."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.shell import CabinetItem

from . import selectors
from .models import User


def profile_items(user: User) -> list[CabinetItem]:
    url = reverse("accounts:profile")
    identity = selectors.identity_of(user)
    if identity is None:
        return [
            CabinetItem(
                title=_("Your identity is not verified"),
                status=_("Not verified"),
                url=url,
                note=_(
                    "Verify it through the state identity portal or at a service centre to "
                    "take part in discussions and apply for services."
                ),
            )
        ]
    if selectors.address_matches_no_building(identity):
        return [
            CabinetItem(
                title=identity.full_name,
                status=_("Verified; address not found"),
                url=url,
                when=identity.verified_at,
                note=_(
                    "Your registered address was not found in the city's address register: "
                    "discussions limited to a territory cannot count you as a resident."
                ),
            )
        ]
    return [
        CabinetItem(
            title=identity.full_name,
            status=_("Verified"),
            url=url,
            when=identity.verified_at,
            note=identity.get_method_display(),
        )
    ]
