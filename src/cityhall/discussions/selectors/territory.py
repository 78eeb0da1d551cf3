"""Where discussions are: a place from an address or a map point, whether a discussion's
territory covers a point or touches a suburb, the discussions of a place or suburb (bounding
box in SQL, exact test in Python), and the entries of the map.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import (
    Discussion,
)

__all__ = [
    "MapEntry",
    "Place",
    "concerning_my_address_items",
    "building_discussions_url",
    "covers_point",
    "discussions_covering_building",
    "discussions_for_place",
    "discussions_for_suburb",
    "find_place",
    "home_place",
    "map_entries",
    "touches_suburb",
]


@dataclass(frozen=True)
class Place:
    """A point in the city a person chose, and how to name it back to them."""

    lat: float
    lon: float
    label: str


def _coordinate(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def find_place(*, address: str = "", lat: Any = None, lon: Any = None) -> Place | None:
    """The point of an address (a known building, spelled any usual way) or of a map point.

    None when neither is given. Refuses, with the reason on the field, an address the city's
    register does not know and a point outside the city's districts."""
    from django.utils.translation import gettext as _

    from cityhall.core.errors import InvalidInput
    from cityhall.geo import selectors as geo
    from cityhall.geo.geometry import point_error

    address = (address or "").strip()
    lat_f, lon_f = _coordinate(lat), _coordinate(lon)
    if lat_f is not None or lon_f is not None:
        if lat_f is None or lon_f is None or point_error(lat_f, lon_f):
            raise InvalidInput(
                fields={"address": [_("The point on the map is not valid; choose it again.")]}
            )
        if not geo.is_inside_city(lat_f, lon_f):
            raise InvalidInput(
                fields={"address": [_("This point is outside the city; choose one inside it.")]}
            )
        building = geo.building_for_point(lat_f, lon_f)
        label = building.address if building else f"{lat_f:.5f}, {lon_f:.5f}"
        return Place(lat=round(lat_f, 7), lon=round(lon_f, 7), label=label)
    if not address:
        return None
    building = geo.find_building(address)
    if building is None:
        suggestions = geo.search_buildings(address, limit=1)
        building = suggestions[0] if len(address) >= 3 and len(suggestions) == 1 else None
    if building is None:
        raise InvalidInput(
            fields={
                "address": [
                    _(
                        "We do not know the address “%(address)s” in the city. Check the street "
                        "and house number (for example: Баумана 5)."
                    )
                    % {"address": address[:100]}
                ]
            }
        )
    if building.district_id is None:
        raise InvalidInput(
            fields={"address": [_("This address is outside the city; choose one inside it.")]}
        )
    return Place(lat=building.lat, lon=building.lon, label=building.address)


def home_place(user: Any) -> Place | None:
    """The person's verified registered address as a place (None when not signed in, not
    verified, or the address is not a building of the city): never an address they typed."""
    from cityhall.accounts import selectors as people

    if not getattr(user, "is_authenticated", False):
        return None
    identity = people.lean_identity(user)
    building = identity.registered_building if identity is not None else None
    if building is None or building.district_id is None:
        return None
    return Place(lat=building.lat, lon=building.lon, label=identity.registered_address)


def concerning_my_address_items(user: Any) -> list[Any]:
    """For the cabinet: the announced and open discussions whose territory covers the person's
    verified registered address (the same polygon test as eligibility)."""
    from cityhall.core.shell import CabinetItem

    from ..models import Status
    from .record import public_discussions

    place = home_place(user)
    if place is None:
        return []
    current = public_discussions().filter(status__in=(Status.ANNOUNCED, Status.EXPOSITION_OPEN))
    return [
        CabinetItem(
            title=f"{d.number} {d.title}",
            status=d.get_status_display(),
            url=reverse("discussions:detail", args=[d.pk]),
            when=d.proposal_deadline,
        )
        for d in discussions_for_place(current, place, limit=5)
    ]


def discussions_covering_building(building: Any) -> list[Any]:
    """For the building page (core.places): the published discussions whose territory covers
    the building, current ones first."""
    from cityhall.core.places import PlaceItem

    from .record import public_discussions

    place = Place(lat=building.lat, lon=building.lon, label=str(building))
    found = discussions_for_place(public_discussions(open_first=True), place, limit=10)
    return [
        PlaceItem(
            title=f"{d.number} {d.title}",
            url=reverse("discussions:detail", args=[d.pk]),
            note=d.get_status_display(),
        )
        for d in found
    ]


def discussions_section(building: Any) -> Any:
    """The building page's section (``core.places``): the discussions covering it and a link
    to every discussion for its address."""
    from cityhall.core.places import PlaceSection

    return PlaceSection(
        key="discussions",
        title=_("Public discussions whose territory covers this building"),
        items=discussions_covering_building(building),
        empty_text=_("No public discussion concerns this building."),
        more_url=building_discussions_url(building),
        more_label=_("Every discussion for this address"),
    )


def building_discussions_url(building: Any) -> str:
    from urllib.parse import urlencode

    return reverse("discussions:list") + "?" + urlencode({"address": building.address})


def _district_ids_of(discussion: Discussion) -> set[int]:
    cached = getattr(discussion, "_district_ids", None)
    if cached is None:
        cached = {d.pk for d in discussion.districts.all()}
        discussion._district_ids = cached
    return cached


def covers_point(discussion: Discussion, lat: float, lon: float, district_id: int | None) -> bool:
    """Whether the discussion's territory covers the point: its own polygon if it has one,
    otherwise its districts, otherwise (no territory given) the whole city. ``district_id`` is
    the point's district (None outside the city)."""
    from cityhall.geo import selectors as geo

    if discussion.territory:
        return geo.contains(discussion.territory, lat, lon)
    ids = _district_ids_of(discussion)
    if ids:
        return district_id in ids
    return district_id is not None


def touches_suburb(discussion: Discussion, suburb: Any) -> bool:
    """Whether the discussion's territory overlaps the suburb: the polygons intersect, or with
    no polygon the suburb's district is one of the discussion's (or the whole city's)."""
    import shapely

    from cityhall.geo.geometry import area_shape

    if discussion.territory:
        a = (discussion.min_lon, discussion.min_lat, discussion.max_lon, discussion.max_lat)
        b = suburb.bbox
        if None not in a and (a[0] > b[2] or a[2] < b[0] or a[1] > b[3] or a[3] < b[1]):
            return False
        territory = area_shape(discussion.territory, field="territory")
        return bool(shapely.intersects(territory, area_shape(suburb.geometry)))
    ids = _district_ids_of(discussion)
    return suburb.district_id in ids if ids else True


def _point_prefilter(qs: QuerySet[Discussion], lat: float, lon: float) -> QuerySet[Discussion]:
    from django.db.models import Q

    return qs.filter(
        Q(territory__isnull=True)
        | Q(min_lon__isnull=True)
        | Q(min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat)
    ).prefetch_related("districts")


def discussions_for_place(
    qs: QuerySet[Discussion], place: Place, *, limit: int | None = None
) -> list[Discussion]:
    """The discussions of ``qs`` whose territory covers the place (bounding box in SQL, then
    the exact point-in-polygon test)."""
    from cityhall.geo import selectors as geo

    district = geo.district_for_point(place.lat, place.lon)
    district_id = district.pk if district else None
    found = []
    for discussion in _point_prefilter(qs, place.lat, place.lon).iterator(chunk_size=200):
        if covers_point(discussion, place.lat, place.lon, district_id):
            found.append(discussion)
            if limit is not None and len(found) >= limit:
                break
    return found


def discussions_for_suburb(
    qs: QuerySet[Discussion], suburb: Any, *, limit: int | None = None
) -> list[Discussion]:
    from django.db.models import Q

    min_lon, min_lat, max_lon, max_lat = suburb.bbox
    candidates = qs.filter(
        Q(territory__isnull=True)
        | Q(min_lon__isnull=True)
        | Q(min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat)
    ).prefetch_related("districts")
    found = []
    for discussion in candidates.iterator(chunk_size=200):
        if touches_suburb(discussion, suburb):
            found.append(discussion)
            if limit is not None and len(found) >= limit:
                break
    return found


@dataclass
class MapEntry:
    """A discussion on the map: its territory as a polygon — its own (``own``), else the union
    of its districts, else the whole city — and ``where``, the area in words for the list."""

    discussion: Discussion
    url: str
    where: str
    territory: dict | None = None
    own: bool = False
    area: float = 0.0  # square degrees, to draw big territories under small ones
    marker: tuple[float, float] | None = None  # (lon, lat); unused since every entry has a polygon


def map_entries(discussions: list[Discussion], districts: list[Any]) -> list[MapEntry]:
    """Every discussion with the polygon it covers, biggest first (so that, drawn in this
    order, a small territory stays on top of a city-wide one)."""
    from django.utils.translation import gettext as _
    from shapely.ops import unary_union

    from cityhall.geo.geometry import area_shape, to_geojson

    shapes: dict[int, Any] = {}
    for d in districts:
        if d.geometry:
            shapes[d.pk] = area_shape(d.geometry)
    union_of: dict[tuple[int, ...], tuple[dict | None, float]] = {}
    names = {d.pk: d.display_name for d in districts}
    entries = []
    for discussion in discussions:
        url = reverse("discussions:detail", args=[discussion.pk])
        if discussion.territory:
            own = area_shape(discussion.territory, field="territory")
            entries.append(
                MapEntry(
                    discussion,
                    url,
                    discussion.territory_description or _("Territory drawn on the map"),
                    territory=discussion.territory,
                    own=True,
                    area=own.area,
                )
            )
            continue
        ids = tuple(sorted(_district_ids_of(discussion) & set(shapes) or ()))
        if ids not in union_of:
            parts = [shapes[i] for i in ids] if ids else list(shapes.values())
            area = unary_union(parts) if parts else None
            union_of[ids] = (to_geojson(area), area.area) if area is not None else (None, 0.0)
        where = ", ".join(names[i] for i in ids) if ids else _("The whole city")
        if discussion.territory_description:
            where = f"{discussion.territory_description} ({where})"
        geometry, area = union_of[ids]
        entries.append(MapEntry(discussion, url, where, territory=geometry, area=area))
    entries.sort(key=lambda e: -e.area)
    return entries
