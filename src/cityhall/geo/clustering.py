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

import numpy as np
from django.db import connections
from django.db.models import Count, F, Min, QuerySet
from django.db.models.functions import Round

from . import building_index

__all__ = [
    "Cluster",
    "WeightedPoint",
    "cell_degrees",
    "clusters_by_building",
    "feature",
    "grid",
    "grid_arrays",
]

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
    """Clusters of the points inside ``bbox`` (min_lon, min_lat, max_lon, max_lat) at ``zoom``
    (vectorised: tens of thousands of buildings take milliseconds)."""
    points = list(points)
    if not points:
        return []
    return grid_arrays(
        lat=np.fromiter((p.lat for p in points), float, len(points)),
        lon=np.fromiter((p.lon for p in points), float, len(points)),
        count=np.fromiter((p.count for p in points), np.int64, len(points)),
        sample=np.fromiter((p.sample_pk for p in points), np.int64, len(points)),
        building=np.fromiter(
            (p.building_id if p.building_id is not None else -1 for p in points),
            np.int64,
            len(points),
        ),
        bbox=bbox,
        zoom=zoom,
        cell_pixels=cell_pixels,
    )


def grid_arrays(
    *,
    lat: np.ndarray,
    lon: np.ndarray,
    count: np.ndarray,
    sample: np.ndarray,
    building: np.ndarray,
    bbox: tuple[float, float, float, float] | None,
    zoom: int,
    cell_pixels: int = 64,
) -> list[Cluster]:
    """:func:`grid` of points given as arrays (``building`` -1 where a point has none)."""
    if bbox is not None:
        inside = (lon >= bbox[0]) & (lon <= bbox[2]) & (lat >= bbox[1]) & (lat <= bbox[3])
        lat, lon, count, sample, building = (
            lat[inside],
            lon[inside],
            count[inside],
            sample[inside],
            building[inside],
        )
    if not len(lat):
        return []
    width = cell_degrees(zoom, cell_pixels)
    middle = (bbox[1] + bbox[3]) / 2 if bbox else float(lat.mean())
    height = width * max(math.cos(math.radians(middle)), 0.05)
    rows = np.floor(lat / height).astype(np.int64)
    cols = np.floor(lon / width).astype(np.int64)
    # one integer per cell (row-major), so finding the cells is a 1-D unique
    rows -= rows.min()
    cols -= cols.min()
    _keys, cell = np.unique(rows * (int(cols.max()) + 1) + cols, return_inverse=True)
    cell = cell.ravel()
    cells = int(cell.max()) + 1
    total = np.bincount(cell, weights=count, minlength=cells)
    mean_lat = np.bincount(cell, weights=lat * count, minlength=cells) / total
    mean_lon = np.bincount(cell, weights=lon * count, minlength=cells) / total
    first_sample = np.full(cells, np.iinfo(np.int64).max)
    np.minimum.at(first_sample, cell, sample)
    spread = np.zeros(cells)
    for values in (lat, lon, building.astype(float)):
        low = np.full(cells, np.inf)
        high = np.full(cells, -np.inf)
        np.minimum.at(low, cell, values)
        np.maximum.at(high, cell, values)
        spread += high - low
    one_building = np.full(cells, -1, dtype=np.int64)
    np.maximum.at(one_building, cell, building)
    return [
        Cluster(
            count=int(total[i]),
            lat=round(float(mean_lat[i]), 6),
            lon=round(float(mean_lon[i]), 6),
            sample_pk=int(first_sample[i]),
            building_id=int(one_building[i]) if spread[i] == 0 and one_building[i] >= 0 else None,
        )
        for i in range(cells)
    ]


def _rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database driver gives them: the numbers
    read here need none of the ORM's per-value converters (tens of thousands of rows)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    counted = np.array(_rows(per_building), dtype=np.int64).reshape(-1, 3)
    lat, lon, known = index.locate(counted[:, 0])
    counted = counted[known]
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
    points = np.array(_rows(loose), dtype=float).reshape(-1, 4)
    return grid_arrays(
        lat=np.concatenate([lat, points[:, 0]]),
        lon=np.concatenate([lon, points[:, 1]]),
        count=np.concatenate([counted[:, 1], points[:, 2].astype(np.int64)]),
        sample=np.concatenate([counted[:, 2], points[:, 3].astype(np.int64)]),
        building=np.concatenate([counted[:, 0], np.full(len(points), -1, dtype=np.int64)]),
        bbox=bbox,
        zoom=zoom,
        cell_pixels=cell_pixels,
    )


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
