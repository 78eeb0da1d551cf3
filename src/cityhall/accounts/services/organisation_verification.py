"""Verifying a company or a public authority: staff check its details against the state
register (an extract of the unified register of legal entities presented by its
representative) and record them. Its location in discussions — the building of its verified
address — comes from here, never from what a representative typed (issue 20.8).
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import Organisation, User
from ..selectors import building_for_address, can_verify_in_person

__all__ = ["PARTICIPANT_ORGANISATION_TYPES", "verify_organisation"]

#: The kinds of organisation that take part in discussions through a representative.
PARTICIPANT_ORGANISATION_TYPES = (
    Organisation.Type.LEGAL_ENTITY,
    Organisation.Type.PUBLIC_AUTHORITY,
)
_FIELDS = ["name", "type", "ogrn", "address", "building", "verified_at", "verified_by"]
_OGRN = re.compile(r"^\d{13}(\d{2})?$")


def verify_organisation(
    *,
    organisation: Organisation,
    name: str,
    type: str,
    ogrn: str,
    address: str,
    actor: User | None,
) -> Organisation:
    """Record a company's or public authority's verified name, kind, registration number and
    address; the building is matched from the address (``selectors.building_for_address``:
    an office or premises number is not part of the building). An address that matches no
    building is stored and the organisation is verified, but it has no location: the caller
    warns the operator. Operators of a service centre only (``actor=None``: the system)."""
    if actor is not None and not can_verify_in_person(actor):
        raise Forbidden(_("Only an operator of a service centre may verify organisations."))
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    ogrn = re.sub(r"\D", "", ogrn or "")
    address = (address or "").strip()
    if not name:
        errors["name"] = [_("Please give the organisation's name.")]
    if type not in PARTICIPANT_ORGANISATION_TYPES:
        errors["type"] = [_("Choose a type from the list.")]
    if not _OGRN.match(ogrn):
        errors["ogrn"] = [_("Enter the registration number (OGRN): 13 or 15 digits.")]
    if not address:
        errors["address"] = [_("Enter the address from the register.")]
    if organisation.type not in PARTICIPANT_ORGANISATION_TYPES:
        errors["type"] = [_("Only companies and public authorities are verified here.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = audit.snapshot(organisation, _FIELDS)
        organisation.name = name
        organisation.type = type
        organisation.ogrn = ogrn
        organisation.address = address
        organisation.building = building_for_address(address)
        organisation.verified_at = timezone.now()
        organisation.verified_by = actor
        organisation.save(update_fields=[*_FIELDS, "updated_at"])
        audit.record(
            actor=actor,
            action="accounts.organisation_verified",
            target=organisation,
            before=before,
            after=audit.snapshot(organisation, _FIELDS),
        )
    return organisation
