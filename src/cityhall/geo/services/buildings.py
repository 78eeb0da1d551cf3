"""Buildings: checking, creating, changing and deleting one building.

A building is placed in its district and suburb by its point, never by what somebody typed, and
its normalised address is unique.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from .. import area_index
from ..addresses import clean_house, compose_address, house_number, normalise_address
from ..geometry import point_error
from ..models import Building
from .areas import field_differs

__all__ = [
    "BUILDING_ATTRIBUTES",
    "BUILDING_AUDIT_FIELDS",
    "CADASTRAL_NUMBER",
    "check_building",
    "create_building",
    "delete_building",
    "update_building",
    "update_building_with_outcome",
]

BUILDING_ATTRIBUTES = ("floors", "apartments", "year_built")

CADASTRAL_NUMBER = re.compile(r"^\d{2}:\d{2}:\d{6,7}:\d{1,10}$")


def _whole(value: Any, *, low: int, high: int, message: str) -> tuple[int | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, bool):
        return None, message
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None, message
    if isinstance(value, float) and value != number:
        return None, message
    if not low <= number <= high:
        return None, message
    return number, None


def check_building(
    *,
    street: str,
    house: str,
    lat: Any,
    lon: Any,
    cadastral_number: str = "",
    exclude: Building | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    """Validates a building; returns the values to store (address, key, point, district,
    suburb, attributes) or raises :class:`InvalidInput` naming the fields at fault."""
    unknown = set(attributes) - set(BUILDING_ATTRIBUTES)
    if unknown:
        raise TypeError(f"unknown building attributes: {', '.join(sorted(unknown))}")
    errors: dict[str, list[str]] = {}
    street = " ".join((street or "").split()).strip(" ,")
    house = clean_house(house)
    if not normalise_address(street):  # nothing left but "ул." and punctuation
        errors["street"] = [_("Give the street.")]
    elif len(street) > 200:
        errors["street"] = [_("A street has at most 200 characters.")]
    if not house or not any(ch.isdigit() for ch in house):
        errors["house"] = [_("Give the house number.")]
    elif len(house) > 30:
        errors["house"] = [_("A house number has at most 30 characters.")]
    cadastral_number = (cadastral_number or "").strip()
    if cadastral_number and not CADASTRAL_NUMBER.match(cadastral_number):
        errors["cadastral_number"] = [
            _("A cadastral number looks like 16:50:011105:123 (region:area:block:number).")
        ]
    values: dict[str, Any] = {}
    limits = {
        "floors": (1, 200, _("Floors: a whole number from 1 to 200.")),
        "apartments": (0, 100_000, _("Apartments: a whole number, 0 or more.")),
        "year_built": (
            1000,
            timezone.localdate().year + 5,
            _("Year built: a year from 1000 to five years ahead."),
        ),
    }
    for name in BUILDING_ATTRIBUTES:
        if name in attributes:
            low, high, message = limits[name]
            values[name], error = _whole(attributes[name], low=low, high=high, message=message)
            if error:
                errors[name] = [error]
    location_error = point_error(lat, lon)
    location = None
    if location_error:
        errors["location"] = [location_error]
    else:
        lat, lon = float(lat), float(lon)
        district, suburb = area_index.current().find(lon, lat)
        if district is None:
            errors["location"] = [_("This point is outside the city's districts.")]
        location = (district, suburb)
    address = compose_address(street, house)
    key = normalise_address(address)
    if "street" not in errors and "house" not in errors:
        if len(address) > 300:
            errors["street"] = [_("The address is too long.")]
        else:
            duplicates = Building.objects.filter(address_normalised=key)
            if exclude is not None:
                duplicates = duplicates.exclude(pk=exclude.pk)
            if duplicates.exists():
                if not errors:
                    raise _duplicate(address)
                errors["house"] = [_duplicate(address).fields["house"][0]]
    if errors:
        raise InvalidInput(fields=errors)
    district, suburb = location
    return {
        "street": street,
        "house": house,
        "house_number": house_number(house),
        "address": address,
        "address_normalised": key,
        "lat": lat,
        "lon": lon,
        "district": district,
        "suburb": suburb,
        "cadastral_number": cadastral_number,
        **values,
    }


BUILDING_AUDIT_FIELDS = [
    "address",
    "street",
    "house",
    "lat",
    "lon",
    "district",
    "suburb",
    "cadastral_number",
    "floors",
    "apartments",
    "year_built",
]


def _duplicate(address: str) -> InvalidInput:
    return InvalidInput(
        code="duplicate_address",
        fields={"house": [_("The building “%(address)s” already exists.") % {"address": address}]},
    )


def create_building(
    *,
    actor: Any,
    street: str,
    house: str,
    lat: float,
    lon: float,
    cadastral_number: str = "",
    **extra: Any,
) -> Building:
    """Adds a building; its district and suburb come from its point. A point outside the city
    is refused (field "location"), as is a second building at the same address however it is
    spelled (field "house", code "duplicate_address"). ``extra``: floors, apartments,
    year_built."""
    with transaction.atomic():
        values = check_building(
            street=street,
            house=house,
            lat=lat,
            lon=lon,
            cadastral_number=cadastral_number,
            **extra,
        )
        try:
            with transaction.atomic():
                building = Building.objects.create(**values)
        except IntegrityError:  # the same address added at the same moment by somebody else
            raise _duplicate(values["address"]) from None
        audit.record(
            actor=actor,
            action="geo.building_created",
            target=building,
            after=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
    return building


def update_building_with_outcome(*, actor: Any, building: Building, changes: dict[str, Any]) -> str:
    """``update_building`` that says what happened (``updated`` or ``unchanged``): the
    GeoJSON import counts each outcome."""
    allowed = {"street", "house", "lat", "lon", "cadastral_number", *BUILDING_ATTRIBUTES}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown building fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        building = Building.objects.select_for_update().get(pk=building.pk)
        current = {
            "street": building.street,
            "house": building.house,
            "lat": building.lat,
            "lon": building.lon,
            "cadastral_number": building.cadastral_number,
            **{name: getattr(building, name) for name in BUILDING_ATTRIBUTES},
        }
        wanted = {**current, **changes}
        values = check_building(exclude=building, **wanted)
        changed = [f for f, value in values.items() if field_differs(building, f, value)]
        if not changed:
            return "unchanged"
        before = audit.snapshot(building, BUILDING_AUDIT_FIELDS)
        for name in changed:
            setattr(building, name, values[name])
        try:
            with transaction.atomic():
                building.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise _duplicate(values["address"]) from None
        audit.record(
            actor=actor,
            action="geo.building_updated",
            target=building,
            before=before,
            after=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
    return "updated"


def update_building(*, actor: Any, building: Building, **changes: Any) -> Building:
    """Changes a building's address, point or attributes (street, house, lat, lon,
    cadastral_number, floors, apartments, year_built); the district and suburb follow the
    point. The same values again change nothing."""
    update_building_with_outcome(actor=actor, building=building, changes=changes)
    building.refresh_from_db()
    return building


def delete_building(*, actor: Any, building: Building) -> None:
    """Removes a building nothing refers to (requests and rights keep theirs)."""
    with transaction.atomic():
        building = Building.objects.select_for_update().get(pk=building.pk)
        audit.record(
            actor=actor,
            action="geo.building_deleted",
            target=building,
            before=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
        try:
            with transaction.atomic():
                building.delete()
        except ProtectedError:
            raise Conflict(
                _("“%(address)s” is referred to by other records and cannot be removed.")
                % {"address": building.address},
                code="building_in_use",
            ) from None
