"""Where a proposal is about: an optional point or area on the map, or an address (ADR 0028).

A proposal's place is stored in the proposal's own columns, as the rest of the platform keeps
geometry (no spatial database, ADR 0001): ``lat``/``lon`` for a point, ``area`` for a GeoJSON
Polygon. :func:`check_place` is what every web and API submission runs when — and only when —
a place is given (a proposal without one costs nothing here): the geometry must be a valid
point or polygon of at most :data:`MAX_AREA_VERTICES` corners, lie inside the discussion's
territory (its own polygon, else its districts, else the city: the same polygon the maps draw),
and an address must be a building of the city's register (its point is stored). A refusal
names the field and says why, so the page keeps every answer beside the message.

:func:`placed_proposals` reads the public (visible) proposals that have a place, for the
discussion's map of proposals and its list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.errors import InvalidInput

from .models import Discussion, Proposal

__all__ = [
    "MAX_AREA_VERTICES",
    "MAX_MAPPED",
    "PlacedProposal",
    "Place",
    "area_from_text",
    "check_place",
    "placed_proposals",
    "territory_geometry",
]

#: The most corners a drawn area may have (its rings together): enough for any hand drawing,
#: small enough that a page or an API client cannot store a city's outline with every proposal.
MAX_AREA_VERTICES = 500

#: Share of a drawn area allowed outside the territory: a hand-drawn edge along its boundary.
OUTSIDE_TOLERANCE = 0.02

#: The map of proposals shows at most this many (newest first); the list says when cut.
MAX_MAPPED = 2000


@dataclass(frozen=True)
class Place:
    """A checked place: a point, or an area (GeoJSON Polygon), or nothing."""

    lat: float | None = None
    lon: float | None = None
    area: dict | None = None


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]})


def territory_geometry(discussion: Discussion) -> dict | None:
    """The discussion's territory as drawn on its maps: its own polygon, else the union of its
    districts, else the whole city (None without any district)."""
    from cityhall.geo.models import District

    from . import selectors

    if discussion.territory:
        return discussion.territory
    entry = selectors.map_entries([discussion], list(District.objects.only("pk", "geometry")))
    return entry[0].territory


def _territory_shape(discussion: Discussion):
    from cityhall.geo.geometry import area_shape

    geometry = territory_geometry(discussion)
    return area_shape(geometry, field="territory") if geometry else None


def _point(lat: Any, lon: Any) -> tuple[float, float]:
    if lat is None or lon is None:
        raise _refuse("lat", _("Give both latitude and longitude."))
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        raise _refuse("lat", _("The point on the map is not valid; choose it again.")) from None
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)) or not (
        -90 <= lat_f <= 90 and -180 <= lon_f <= 180
    ):
        raise _refuse("lat", _("The point on the map is not valid; choose it again."))
    return lat_f, lon_f


def _polygon(area: Any):
    from cityhall.geo.geometry import area_shape

    if not isinstance(area, dict) or area.get("type") != "Polygon":
        raise _refuse("area", _("The area must be a GeoJSON Polygon."))
    rings = area.get("coordinates")
    if not isinstance(rings, list) or not rings:
        raise _refuse("area", _("The area's coordinates are malformed."))
    corners = sum(len(ring) if isinstance(ring, list) else 0 for ring in rings)
    if corners > MAX_AREA_VERTICES:
        raise _refuse(
            "area",
            _("The area has %(count)d corners; draw it with at most %(limit)d.")
            % {"count": corners, "limit": MAX_AREA_VERTICES},
        )
    return area_shape(area, field="area")


def area_from_text(text: str) -> dict | None:
    """An area sent as JSON text (a multipart form's field); :func:`check_place` checks it."""
    import json

    if not (text or "").strip():
        return None
    try:
        area = json.loads(text)
    except ValueError:
        area = None
    if not isinstance(area, dict):
        raise _refuse("area", _("The area must be a GeoJSON Polygon."))
    return area


def check_place(
    discussion: Discussion,
    *,
    lat: Any = None,
    lon: Any = None,
    area: Any = None,
    address: str = "",
    address_field: str = "address",
) -> Place:
    """The proposal's place, checked: a point, an area or an address (one of them), inside the
    discussion's territory. Refuses with :class:`InvalidInput` on ``lat``, ``area`` or
    ``address_field`` (the staff's form names the place's address apart from the person's)."""
    import shapely

    from cityhall.geo import selectors as geo
    from cityhall.geo.geometry import to_geojson

    address = (address or "").strip()
    point = lat is not None or lon is not None
    if not (point or area or address):
        return Place()
    if point and area:
        raise _refuse("area", _("Give a point or an area, not both."))
    if address and not (point or area):
        building = geo.find_building(address[:300])
        if building is None or building.district_id is None:
            raise _refuse(
                address_field,
                _(
                    "We do not know the address “%(address)s” in the city. Check the street "
                    "and house number (for example: Баумана 5)."
                )
                % {"address": address[:100]},
            )
        lat, lon, point = building.lat, building.lon, True
    territory = _territory_shape(discussion)
    if point:
        lat_f, lon_f = _point(lat, lon)
        inside = (
            bool(shapely.intersects_xy(territory, lon_f, lat_f))
            if territory is not None
            else geo.is_inside_city(lat_f, lon_f)
        )
        if not inside:
            raise _refuse(
                address_field if address else "lat",
                _("This place is outside the discussion's territory; choose one inside it."),
            )
        return Place(lat=round(lat_f, 7), lon=round(lon_f, 7))
    shape = _polygon(area)
    if territory is None or (shape.difference(territory).area > OUTSIDE_TOLERANCE * shape.area):
        raise _refuse(
            "area",
            _("This area is outside the discussion's territory; draw it inside the territory."),
        )
    return Place(area=to_geojson(shape))


@dataclass(frozen=True)
class PlacedProposal:
    """A public proposal with its place, for the map of proposals and the list beside it."""

    number: int
    kind: str
    excerpt: str
    url: str
    lat: float | None
    lon: float | None
    area: dict | None


def placed_proposals(discussion: Discussion, *, limit: int = MAX_MAPPED) -> list[PlacedProposal]:
    """The discussion's visible proposals that carry a point or an area, by number (a hidden
    one is never on the map, even at its place); at most ``limit``, the newest."""
    from django.db.models import Q

    rows = (
        Proposal.objects.filter(discussion=discussion, visibility=Proposal.Visibility.VISIBLE)
        .filter(Q(lat__isnull=False) | Q(area__isnull=False))
        .only("number", "kind", "text", "lat", "lon", "area")
        .order_by("-number")[:limit]
    )
    head = reverse("discussions:proposal", args=[discussion.pk, 1]).rsplit("/1/", 1)
    placed = [
        PlacedProposal(
            number=p.number,
            kind=p.get_kind_display(),
            excerpt=(p.text[:140] + "…") if len(p.text) > 140 else p.text,
            url=f"{head[0]}/{p.number}/{head[1]}",
            lat=p.lat,
            lon=p.lon,
            area=p.area,
        )
        for p in rows
    ]
    placed.reverse()
    return placed
