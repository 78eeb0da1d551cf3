"""Realistic territories of the demo discussions, of different sizes: a permit's plot and its
neighbours, a block, a neighbourhood, the whole city (a general plan). Composed the way an
organiser's choice is (services.territory), from the demo map's buildings and suburbs."""

from __future__ import annotations

from typing import Any

from cityhall.core.errors import DomainError
from cityhall.geo.geometry import metres_to_degrees
from cityhall.geo.models import Building, District, Suburb

from .services.territory import TerritoryParts, compose_territory

__all__ = ["around_building", "around_point", "suburb"]


def _square(lat: float, lon: float, half_side_m: float) -> dict:
    dlat, dlon = metres_to_degrees(half_side_m, lat)
    ring = [
        [lon - dlon, lat - dlat],
        [lon + dlon, lat - dlat],
        [lon + dlon, lat + dlat],
        [lon - dlon, lat + dlat],
        [lon - dlon, lat - dlat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _fields(parts: TerritoryParts, description: str) -> dict[str, Any]:
    """``create_discussion`` arguments; the whole city when the map has no such place."""
    try:
        geojson, district_ids, _cut = compose_territory(parts)
    except DomainError:
        geojson, district_ids = None, []
    if geojson is None:
        return {}
    return {
        "territory": geojson,
        "districts": list(District.objects.filter(pk__in=district_ids)),
        "territory_description": description,
    }


def around_building(street: str, half_side_m: float, description: str) -> dict[str, Any]:
    """A square around the first demo building of ``street`` (a plot and its neighbours)."""
    building = Building.objects.filter(street=street).order_by("id").first()
    if building is None:
        return {}
    drawn = _square(building.lat, building.lon, half_side_m)
    return _fields(TerritoryParts(drawn=drawn), f"{description}: {building.address}")


def around_point(lat: float, lon: float, half_side_m: float, description: str) -> dict[str, Any]:
    return _fields(TerritoryParts(drawn=_square(lat, lon, half_side_m)), description)


def suburb(code: str, description: str) -> dict[str, Any]:
    found = Suburb.objects.filter(code=code).first()
    if found is None:
        return {}
    return _fields(TerritoryParts(suburbs=[found]), f"{description}: {found.name}")
