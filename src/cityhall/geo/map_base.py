"""The city's own base layer for the interactive map (``geo:map_base``), used when no tile
source is configured or the configured one is unreachable.

One GeoJSON answer per view: the districts (always), the suburbs (from zoom
:data:`SUBURBS_FROM_ZOOM`) and the building points inside the view (from zoom
:data:`BUILDINGS_FROM_ZOOM`, at most :data:`MAX_BUILDINGS`). Boundaries are simplified to about
a pixel at the asked zoom and kept per zoom with the area index (rebuilt when boundaries
change), so panning costs one small building query.
"""

from __future__ import annotations

import math
from typing import Any

from shapely.geometry import mapping

from . import area_index
from .models import Building

__all__ = ["BUILDINGS_FROM_ZOOM", "MAX_BUILDINGS", "SUBURBS_FROM_ZOOM", "base_layer"]

SUBURBS_FROM_ZOOM = 12
BUILDINGS_FROM_ZOOM = 15
MAX_BUILDINGS = 3000

_simplified: dict[tuple[tuple, int], list[tuple[str, Any, dict[str, Any]]]] = {}


def _degrees_per_pixel(zoom: int) -> float:
    return 360.0 / (256 * 2**zoom)


def _areas(index: area_index.AreaIndex, zoom: int) -> list[tuple[str, Any, dict[str, Any]]]:
    """(kind, area, simplified GeoJSON geometry) of the areas shown at ``zoom``."""
    key = (index.fingerprint, zoom)
    cached = _simplified.get(key)
    if cached is not None:
        return cached
    tolerance = _degrees_per_pixel(zoom)
    features = []
    entries = [("district", e) for e in index.districts]
    if zoom >= SUBURBS_FROM_ZOOM:
        entries += [("suburb", e) for group in index.suburbs_by_district.values() for e in group]
    for kind, entry in entries:
        geom = entry.geom.simplify(tolerance, preserve_topology=True)
        features.append((kind, entry.area, mapping(geom)))
    if len(_simplified) > 64:
        _simplified.clear()
    _simplified[key] = features
    return features


def base_layer(*, bbox: tuple[float, float, float, float] | None, zoom: int) -> dict[str, Any]:
    """The base layer's features for a view (``bbox`` as min_lon, min_lat, max_lon, max_lat)."""
    zoom = max(0, min(int(zoom), 22))
    index = area_index.current()
    # The simplified shapes are shared; the names are in the reader's language.
    features = [
        {
            "type": "Feature",
            "geometry": geometry,
            "properties": {"kind": kind, "name": area.display_name},
        }
        for kind, area, geometry in _areas(index, min(zoom, 18))
    ]
    if bbox is not None and zoom >= BUILDINGS_FROM_ZOOM:
        min_lon, min_lat, max_lon, max_lat = bbox
        rows = Building.objects.filter(
            lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon
        ).values_list("lat", "lon", "address")[:MAX_BUILDINGS]
        features += [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": {"kind": "building", "name": address},
            }
            for lat, lon, address in rows
        ]
    return {"type": "FeatureCollection", "features": features}


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """``"min_lon,min_lat,max_lon,max_lat"`` as four finite numbers, None when malformed."""
    try:
        parts = [float(p) for p in (text or "").split(",")]
    except ValueError:
        return None
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        return None
    min_lon, min_lat, max_lon, max_lat = parts
    if min_lon > max_lon or min_lat > max_lat:
        return None
    return min_lon, min_lat, max_lon, max_lat


def parse_zoom(text: str | None, default: int = 12) -> int:
    try:
        return max(0, min(int(text or default), 22))
    except ValueError:
        return default
