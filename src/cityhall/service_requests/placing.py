"""Placing a report on the map, before it is sent (issue 14): which building a click or an
address means, which organisation will receive the request there, and which open requests of
the same problem are already reported at that building or near it — so a resident can say
"this is my problem too" instead of filing a duplicate (the Signalen/FixMyStreet way).

Reads only; the form's page, its script and the call-centre screen share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.geo import selectors as geo
from cityhall.geo.geometry import distance_m, metres_to_degrees

from .models import OPEN_STATUSES, Category, Photo, ServiceRequest
from .routing import REASONS, decide
from .selectors import committee, routing_facts

__all__ = [
    "NEARBY_LIMIT",
    "Place",
    "ReportedNearby",
    "place_for",
    "reported_nearby",
    "nearby_metres",
]

#: How many earlier reports the form lists at most (the nearest first).
NEARBY_LIMIT = 8
#: How far from a map click a building may be and still be "the building here" (as intake).
SNAP_METRES = 60


def nearby_metres() -> int:
    """The distance within which open requests count as "reported near here"
    (``CITYHALL_REQUESTS_NEARBY_METRES``)."""
    return int(getattr(settings, "REQUESTS_NEARBY_METRES", 150))


@dataclass
class ReportedNearby:
    """An open request offered before submitting: what the public may see of it, how far it is,
    and its first photo for staff (the form promises residents their photos stay private)."""

    request: ServiceRequest
    distance_m: float
    same_building: bool
    followers: int
    photo: Photo | None = None


@dataclass
class Place:
    """Where a report is about to be placed: inside the city or not, the building (snapped),
    the point, and who will receive a request of the chosen category there."""

    inside_city: bool
    lat: float | None = None
    lon: float | None = None
    building: Any = None
    district: Any = None
    organisation: Organisation | None = None
    routing_reason: str = ""
    message: str = ""
    nearby: list[ReportedNearby] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.building is not None or self.lat is not None


def _float(value: Any) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if -180 <= number <= 180 else None


def place_for(
    *,
    category: Category | None,
    building_id: int | None = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    with_photos: bool = False,
) -> Place:
    """The place the form names — a chosen building, a typed address (exactly, or its only
    match) or a map point (snapped to the building within 60 m) — with the receiving
    organisation and the earlier reports there. A point outside the city says so."""
    building = geo.get_building(building_id) if building_id else None
    lat_f, lon_f = _float(lat), _float(lon)
    if building is None and lat_f is not None and lon_f is not None:
        if not (-90 <= lat_f <= 90) or not geo.is_inside_city(lat_f, lon_f):
            return Place(
                inside_city=False,
                lat=lat_f,
                lon=lon_f,
                message=_("This point is outside the city. Choose a place inside it."),
            )
        building = geo.building_for_point(lat_f, lon_f, SNAP_METRES)
    elif building is None and address.strip():
        building = geo.find_building(address)
        if building is None:
            matches = geo.search_buildings(address, limit=2)
            building = matches[0] if len(matches) == 1 else None
        lat_f = lon_f = None
    if building is None and lat_f is None:
        return Place(inside_city=True)
    place = Place(inside_city=True, building=building)
    if building is not None:
        place.lat, place.lon, place.district = building.lat, building.lon, building.district
    else:
        place.lat, place.lon = lat_f, lon_f
        place.district = geo.district_for_point(lat_f, lon_f)
        place.message = _(
            "No building within %(metres)s m of this point: the request will carry the point "
            "and go to the dispatcher, who will find the organisation."
        ) % {"metres": SNAP_METRES}
    if category is not None:
        decision = decide(routing_facts(category=category, building=building))
        place.routing_reason = str(REASONS[decision.reason])
        if decision.organisation_id is not None:
            place.organisation = Organisation.objects.filter(pk=decision.organisation_id).first()
        else:
            place.organisation = committee()
        place.nearby = reported_nearby(
            category_id=category.pk,
            building_id=building.pk if building is not None else None,
            lat=place.lat,
            lon=place.lon,
            with_photos=with_photos,
        )
    return place


def reported_nearby(
    *,
    category_id: int,
    building_id: int | None,
    lat: float | None,
    lon: float | None,
    metres: int | None = None,
    with_photos: bool = False,
    limit: int = NEARBY_LIMIT,
) -> list[ReportedNearby]:
    """Open requests of the category at the building or within ``metres`` of the point
    (the building's own first, then the nearest). A request's place is its point, or its
    building's when it was reported by address."""
    metres = nearby_metres() if metres is None else metres
    where = Q(building_id=building_id) if building_id else Q(pk__in=[])
    if lat is not None and lon is not None and metres > 0:
        dlat, dlon = metres_to_degrees(metres, lat)
        where |= Q(
            lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon
        ) | Q(
            lat__isnull=True,
            building__lat__gte=lat - dlat,
            building__lat__lte=lat + dlat,
            building__lon__gte=lon - dlon,
            building__lon__lte=lon + dlon,
        )
    qs = (
        ServiceRequest.objects.filter(where, category_id=category_id, status__in=OPEN_STATUSES)
        .select_related("category", "building")
        .annotate(follower_count=Count("followers", distinct=True))
        .order_by("-created_at", "-pk")
    )
    if with_photos:
        qs = qs.prefetch_related(
            Prefetch(
                "photos", queryset=Photo.objects.filter(kind=Photo.Kind.INTAKE), to_attr="intake"
            )
        )
    found = []
    for req in qs[:200]:
        here = (req.lat, req.lon) if req.lat is not None else (None, None)
        if here[0] is None and req.building_id:
            here = (req.building.lat, req.building.lon)
        same = building_id is not None and req.building_id == building_id
        if lat is not None and lon is not None and here[0] is not None:
            distance = distance_m(lat, lon, here[0], here[1])
        else:
            distance = 0.0 if same else float("inf")
        if not same and distance > metres:
            continue
        found.append(
            ReportedNearby(
                request=req,
                distance_m=round(distance),
                same_building=same,
                followers=req.follower_count,
                photo=(req.intake[0] if with_photos and req.intake else None),
            )
        )
    found.sort(key=lambda r: (not r.same_building, r.distance_m, -r.request.pk))
    return found[:limit]
