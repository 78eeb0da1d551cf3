"""Reading requests for maps: the public map of open and recently closed requests, the staff
queue's and board's map, and the small map on a request's page.

Privacy (issue 14): a request is shown at its building's point, or — with no building — at its
point rounded to about a hundred metres (``geo.clustering``); never the resident's own click,
never a flat, never a description (the map shows category, status, age and a link only).
Clusters are made on the server (counts per building, one indexed query), so 100,000 open
requests load in well under a second (bench/maps_public_first_view.py).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from cityhall.geo import clustering
from cityhall.geo.shading import ShadeClass, shade_classes, shade_of
from cityhall.geo.web_map import Pin, WebMap, web_map

from .models import CLOSED_STATUSES, OPEN_STATUSES, ServiceRequest, Status
from .photo_lists import thumbnail_url, with_first_photo

__all__ = [
    "PERIODS",
    "RECENTLY_CLOSED_DAYS",
    "MapFilters",
    "NewestFirst",
    "clusters_answer",
    "district_counts",
    "district_shading",
    "map_filters",
    "map_requests",
    "place_map",
    "request_pin",
]

#: "Recently closed": closed within this many days (unless a period is chosen).
RECENTLY_CLOSED_DAYS = 30
#: The periods offered by the filter, in days.
PERIODS = {
    "7": gettext_lazy("last 7 days"),
    "30": gettext_lazy("last 30 days"),
    "90": gettext_lazy("last 90 days"),
    "365": gettext_lazy("last year"),
}
STATUS_CHOICES = {
    "open": pgettext_lazy("requests status", "Open"),
    "closed": gettext_lazy("Recently closed"),
    "all": gettext_lazy("Open and recently closed"),
}


@dataclass(frozen=True)
class MapFilters:
    category: str = ""
    status: str = "open"
    period: str = ""
    district: int | None = None

    def as_query(self) -> dict[str, str]:
        return {
            "category": self.category,
            "status": self.status,
            "period": self.period,
            "district": str(self.district or ""),
        }


def map_filters(params: Any) -> MapFilters:
    """The filters from a GET query; unknown values fall back to the defaults."""
    status = params.get("status", "open")
    period = params.get("period", "")
    try:
        district = int(params.get("district") or 0) or None
    except ValueError:
        district = None
    return MapFilters(
        category=(params.get("category") or "")[:100],
        status=status if status in STATUS_CHOICES else "open",
        period=period if period in PERIODS else "",
        district=district,
    )


#: Closed statuses a map shows (merged requests are not shown: the request they follow is).
SHOWN_CLOSED = tuple(status for status in CLOSED_STATUSES if status != Status.MERGED)


def map_statuses(filters: MapFilters) -> tuple[str, ...]:
    """The statuses the filters' requests can have."""
    if filters.status == "open":
        return OPEN_STATUSES
    if filters.status == "closed":
        return SHOWN_CLOSED
    return OPEN_STATUSES + SHOWN_CLOSED


def map_requests(
    filters: MapFilters, *, base: QuerySet | None = None, now: dt.datetime | None = None
) -> QuerySet[ServiceRequest]:
    """The requests a map shows: open ones and those closed recently (never merged ones)."""
    now = now or timezone.now()
    qs = ServiceRequest.objects.all() if base is None else base
    days = int(filters.period) if filters.period else None
    closed_since = now - dt.timedelta(days=days or RECENTLY_CLOSED_DAYS)
    shown_closed = list(SHOWN_CLOSED)
    recently_closed = Q(status__in=shown_closed, closed_at__gte=closed_since)
    still_open = Q(status__in=OPEN_STATUSES)
    if days:
        still_open &= Q(created_at__gte=now - dt.timedelta(days=days))
    if filters.status == "open":
        qs = qs.filter(still_open)
    elif filters.status == "closed":
        qs = qs.filter(recently_closed)
    else:
        qs = qs.filter(still_open | recently_closed)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.district:
        qs = qs.filter(district_id=filters.district)
    return qs


def _age(created_at: dt.datetime, now: dt.datetime) -> str:
    return _("submitted %(age)s ago") % {"age": timesince(created_at, now, depth=1)}


def _pin_point(obj: ServiceRequest) -> tuple[float, float] | None:
    if obj.building_id and obj.building is not None:
        return obj.building.lat, obj.building.lon
    if obj.lat is not None and obj.lon is not None:
        return round(obj.lat, clustering.ROUND_DECIMALS), round(obj.lon, clustering.ROUND_DECIMALS)
    return None


def request_pin(obj: ServiceRequest, *, now: dt.datetime | None = None, url: str = "") -> dict:
    """The public facts of one request for a pin and the list beside the map: its point
    (building or rounded), title, lines (status, age, address of the building) and link."""
    now = now or timezone.now()
    point = _pin_point(obj)
    lines = [obj.get_status_display(), _age(obj.created_at, now)]
    if obj.building_id and obj.building is not None:
        lines.append(obj.building.address)
    return {
        "lat": point[0] if point else None,
        "lon": point[1] if point else None,
        "title": f"{obj.number} · {obj.category}" if obj.number else str(obj.category),
        "lines": lines,
        "url": url or reverse("service_requests:detail", args=[obj.pk]),
        "kind": "request" if obj.status in OPEN_STATUSES else "request-closed",
    }


def place_map(obj: ServiceRequest) -> WebMap | None:
    """The small map on a request's page: its building (or its rounded point), None when the
    request has no place."""
    point = _pin_point(obj)
    if point is None:
        return None
    lat, lon = point
    building = obj.building if obj.building_id else None
    return web_map(
        map_id="request-map",
        label=_("Where the request is"),
        pins=[
            Pin(
                lat=lat,
                lon=lon,
                title=building.address if building else _("Near this point"),
                url=reverse("geo:building", args=[building.pk]) if building else "",
                kind="building",
            )
        ],
        bounds=(lon - 0.003, lat - 0.0018, lon + 0.003, lat + 0.0018),
        size="small",
        list_title=_("Place of the request"),
    )


def clusters_answer(
    qs: QuerySet[ServiceRequest],
    *,
    bbox: tuple[float, float, float, float] | None,
    zoom: int,
    detail_link: Callable[[int], str] | None = None,
    group_link: Callable[[int], str] | None = None,
) -> dict:
    """The ``clusters_url`` answer of geo's map component for these requests: clusters, a
    building's requests as one group (its link: the building's page, or ``group_link(building
    id)``), single requests as pins (linked to the public page, or ``detail_link(pk)``)."""
    now = timezone.now()
    detail_link = detail_link or (lambda pk: reverse("service_requests:detail", args=[pk]))
    group_link = group_link or (lambda pk: reverse("geo:building", args=[pk]))
    clusters = clustering.clusters_by_building(qs, bbox=bbox, zoom=zoom)
    singles = [c.sample_pk for c in clusters if c.count == 1]
    # A single pin's pop-up shows the request's first photo shown to everyone, if any.
    by_pk = {
        obj.pk: obj
        for obj in with_first_photo(
            ServiceRequest.objects.filter(pk__in=singles).select_related("category", "building"),
            public_only=True,
        )
    }
    addresses = dict(
        ServiceRequest.objects.filter(
            building_id__in=[c.building_id for c in clusters if c.count > 1 and c.building_id]
        )
        .values_list("building_id", "building__address")
        .distinct()
    )
    features = []
    for cluster in clusters:
        obj = by_pk.get(cluster.sample_pk) if cluster.count == 1 else None
        if obj is not None:
            pin = request_pin(obj, now=now, url=detail_link(obj.pk))
            features.append(
                clustering.feature(
                    lat=cluster.lat,
                    lon=cluster.lon,
                    count=1,
                    title=pin["title"],
                    url=pin["url"],
                    lines=pin["lines"],
                    kind=pin["kind"],
                )
            )
            if obj.first_photo:
                features[-1]["properties"].update(
                    image=thumbnail_url(obj.first_photo),
                    image_alt=f"{_('Photo of the request')} {obj.number}",
                )
        elif cluster.building_id and cluster.count > 1:
            address = addresses.get(cluster.building_id, "")
            features.append(
                clustering.feature(
                    lat=cluster.lat,
                    lon=cluster.lon,
                    count=cluster.count,
                    title=ngettext(
                        "%(count)s request at %(address)s",
                        "%(count)s requests at %(address)s",
                        cluster.count,
                    )
                    % {"count": cluster.count, "address": address},
                    url=group_link(cluster.building_id),
                    kind="group",
                )
            )
        else:
            features.append(
                clustering.feature(lat=cluster.lat, lon=cluster.lon, count=cluster.count)
            )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class DistrictShade:
    district: Any
    count: int
    colour: str


def district_counts(qs: QuerySet[ServiceRequest]) -> dict[int | None, int]:
    """How many of these requests each district has (by district id). Counted per status and
    district, the order of the ``(status, district)`` index, so the database reads that index
    alone and needs no sort (100,000 open requests: a few milliseconds)."""
    counts: dict[int | None, int] = {}
    for _status, district_id, n in (
        qs.values_list("status", "district_id").annotate(n=Count("pk")).order_by()
    ):
        counts[district_id] = counts.get(district_id, 0) + n
    return counts


class NewestFirst:
    """The map's requests newest first (``created_at``, then id), for the list beside the map;
    sliced like a queryset (``paginate``).

    One ``ORDER BY created_at DESC … LIMIT`` over several statuses makes both databases read
    and sort every matching row (100,000 open requests: over a second). Per status, the
    ``(status, -created_at)`` index gives the newest rows in order, so each status's first
    ``stop`` rows are read from it, merged here, and only the slice's rows are loaded (with
    their category, building and district)."""

    def __init__(self, filters: MapFilters, qs: QuerySet[ServiceRequest]) -> None:
        self.statuses = map_statuses(filters)
        self.qs = qs

    def __getitem__(self, window: slice) -> list[ServiceRequest]:
        start, stop = window.start or 0, window.stop
        if stop is None or window.step not in (None, 1):
            raise ValueError("NewestFirst takes a bounded slice")
        runs = [
            self.qs.filter(status=status)
            .order_by("-created_at", "-pk")
            .values_list("created_at", "pk")[:stop]
            for status in self.statuses
        ]
        newest = heapq.merge(*(list(run) for run in runs), reverse=True)
        ids = [pk for _created, pk in list(newest)[start:stop]]
        rows = ServiceRequest.objects.filter(pk__in=ids).select_related(
            "category", "building", "district"
        )
        by_pk = {row.pk: row for row in rows}
        return [by_pk[pk] for pk in ids if pk in by_pk]


def district_shading(
    counts: dict[int | None, int], districts: list
) -> tuple[list[DistrictShade], list[ShadeClass]]:
    """Each district with its number of requests (``district_counts``) and its shade, and the
    legend."""
    values = [counts.get(d.pk, 0) for d in districts]
    classes = shade_classes(values)
    return (
        [DistrictShade(d, n, shade_of(n, classes)) for d, n in zip(districts, values, strict=True)],
        classes,
    )
