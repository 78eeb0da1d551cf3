"""Server-side clusters for maps with many points: one grid per zoom.

A view of the map at zoom ``z`` is cut into cells about ``cell_pixels`` wide on the screen;
each cell with points becomes one cluster (how many, their mean point, one member's id). A page
never receives more than a few hundred clusters however many rows there are (100,000 open
requests: bench/maps_public_first_view.py).

:func:`clusters_by_building` is the privacy-safe and fast way for rows attached to buildings
(resident requests): the database only counts rows per building (one indexed ``GROUP BY``, no
join), the buildings' points come from the in-process building index, and rows without a
building count at their point rounded to about a hundred metres — no row's own point ever
leaves the server. :func:`grid` clusters any weighted points already in hand. The result feeds
the ``clusters_url`` answer of :mod:`cityhall.geo.web_map` (:func:`feature`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, Min, QuerySet
from django.db.models.functions import Round

from . import building_index

__all__ = ["Cluster", "WeightedPoint", "cell_degrees", "clusters_by_building", "feature", "grid"]

#: Rows without a building are placed at their point rounded to this many decimals (~110 m).
ROUND_DECIMALS = 3


@dataclass(frozen=True)
class WeightedPoint:
    lat: float
    lon: float
    count: int
    sample_pk: int
    building_id: int | None = None


@dataclass(frozen=True)
class Cluster:
    count: int
    lat: float
    lon: float
    sample_pk: int  # a member's primary key (the only member when count == 1)
    building_id: int | None  # the building, when every member is at the same one


class _Cell:
    __slots__ = ("count", "sum_lat", "sum_lon", "first", "same", "sample")

    def __init__(self, point: WeightedPoint) -> None:
        self.count = point.count
        self.sum_lat = point.lat * point.count
        self.sum_lon = point.lon * point.count
        self.first = point
        self.same = True
        self.sample = point.sample_pk

    def add(self, point: WeightedPoint) -> None:
        self.count += point.count
        self.sum_lat += point.lat * point.count
        self.sum_lon += point.lon * point.count
        self.sample = min(self.sample, point.sample_pk)
        first = self.first
        if (point.lat, point.lon, point.building_id) != (first.lat, first.lon, first.building_id):
            self.same = False

    def cluster(self) -> Cluster:
        return Cluster(
            count=self.count,
            lat=round(self.sum_lat / self.count, 6),
            lon=round(self.sum_lon / self.count, 6),
            sample_pk=self.sample,
            building_id=self.first.building_id if self.same else None,
        )


def cell_degrees(zoom: int, cell_pixels: int = 64) -> float:
    """Longitude degrees of one cell at ``zoom`` (Web Mercator: 256-pixel tiles)."""
    return 360.0 / (256 * 2 ** max(0, min(int(zoom), 22))) * cell_pixels


def grid(
    points: Iterable[WeightedPoint],
    *,
    bbox: tuple[float, float, float, float] | None,
    zoom: int,
    cell_pixels: int = 64,
) -> list[Cluster]:
    """Clusters of the points inside ``bbox`` (min_lon, min_lat, max_lon, max_lat) at ``zoom``."""
    width = cell_degrees(zoom, cell_pixels)
    middle = (bbox[1] + bbox[3]) / 2 if bbox else 55.0
    height = width * max(math.cos(math.radians(middle)), 0.05)
    cells: dict[tuple[int, int], _Cell] = {}
    for point in points:
        if bbox is not None and not (
            bbox[0] <= point.lon <= bbox[2] and bbox[1] <= point.lat <= bbox[3]
        ):
            continue
        key = (math.floor(point.lat / height), math.floor(point.lon / width))
        cell = cells.get(key)
        if cell is None:
            cells[key] = _Cell(point)
        else:
            cell.add(point)
    clusters = [cell.cluster() for cell in cells.values()]
    return clusters


def clusters_by_building(
    queryset: QuerySet,
    *,
    bbox: tuple[float, float, float, float] | None,
    zoom: int,
    building_field: str = "building",
    lat_field: str = "lat",
    lon_field: str = "lon",
    cell_pixels: int = 64,
) -> list[Cluster]:
    """Clusters of ``queryset``'s rows: at their building's point, or without a building at
    their own point rounded to ~110 m; rows with neither are left out."""
    index = building_index.current()
    per_building = (
        queryset.filter(**{f"{building_field}__isnull": False})
        .values_list(f"{building_field}_id")
        .annotate(n=Count("pk"), sample=Min("pk"))
        .order_by()
    )
    points: list[WeightedPoint] = []
    for building_id, count, sample in per_building:
        where = index.points.get(building_id)
        if where is not None:
            points.append(WeightedPoint(where[0], where[1], count, sample, building_id))
    loose = (
        queryset.filter(
            **{
                f"{building_field}__isnull": True,
                f"{lat_field}__isnull": False,
                f"{lon_field}__isnull": False,
            }
        )
        .annotate(
            map_lat=Round(F(lat_field), ROUND_DECIMALS), map_lon=Round(F(lon_field), ROUND_DECIMALS)
        )
        .values_list("map_lat", "map_lon")
        .annotate(n=Count("pk"), sample=Min("pk"))
        .order_by()
    )
    points += [WeightedPoint(float(la), float(lo), n, s) for la, lo, n, s in loose]
    return grid(points, bbox=bbox, zoom=zoom, cell_pixels=cell_pixels)


def feature(
    *, lat: float, lon: float, count: int, title: str = "", url: str = "", lines=(), kind=""
) -> dict:
    """One point of a ``clusters_url`` answer (see :mod:`cityhall.geo.web_map`)."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {
            "count": count,
            "title": title,
            "url": url,
            "lines": list(lines),
            "kind": kind,
        },
    }
