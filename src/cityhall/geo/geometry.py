"""GeoJSON geometry in, shapely out: the checks every boundary passes before it is stored.

Coordinates are WGS 84 longitude, latitude (GeoJSON order). Distances on the ground use a local
equirectangular approximation, accurate to well under a metre at city scale.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from cityhall.core.errors import InvalidInput

__all__ = [
    "AREA_TYPES",
    "area_shape",
    "point_error",
    "to_geojson",
    "metres_to_degrees",
    "distance_m",
]

AREA_TYPES = ("Polygon", "MultiPolygon")
EARTH_METRES_PER_DEGREE = 111_320.0
COORDINATE_PRECISION = 7  # decimal places: about a centimetre


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]})


def area_shape(geometry: Any, *, field: str = "geometry") -> BaseGeometry:
    """A valid, non-empty Polygon or MultiPolygon with longitude/latitude coordinates, or
    :class:`InvalidInput` on ``field`` saying what is wrong."""
    if not isinstance(geometry, dict) or "type" not in geometry:
        raise _refuse(field, _("The boundary must be a GeoJSON geometry object."))
    kind = geometry.get("type")
    if kind not in AREA_TYPES:
        raise _refuse(
            field,
            _("A boundary must be a Polygon or a MultiPolygon, not %(kind)s.") % {"kind": kind},
        )
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError):
        raise _refuse(field, _("The boundary's coordinates are malformed.")) from None
    if geom.is_empty:
        raise _refuse(field, _("The boundary is empty."))
    if geom.has_z:
        geom = shapely.force_2d(geom)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not all(math.isfinite(v) for v in geom.bounds) or not (
        -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90
    ):
        raise _refuse(
            field,
            _("Coordinates must be longitude (−180…180) then latitude (−90…90), in degrees."),
        )
    try:
        valid = geom.is_valid
    except GEOSException:
        valid = False
    if not valid:
        raise _refuse(
            field,
            _("The boundary is not a valid polygon: %(reason)s.")
            % {"reason": explain_validity(geom)},
        )
    if geom.area <= 0:
        raise _refuse(field, _("The boundary encloses no area."))
    return geom


def point_error(lat: Any, lon: Any) -> str | None:
    """Why (lat, lon) is not a point on Earth, or None when it is one."""
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return _("Latitude and longitude must be numbers.")
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        return _("Latitude and longitude must be numbers.")
    if not (-90 <= lat_f <= 90 and -180 <= lon_f <= 180):
        return _("Latitude must be within −90…90 and longitude within −180…180 degrees.")
    return None


def to_geojson(geom: BaseGeometry) -> dict:
    """A shapely geometry as a GeoJSON dict with rounded, list-based coordinates."""
    rounded = shapely.set_precision(geom, 10**-COORDINATE_PRECISION, mode="pointwise")
    return _lists(mapping(rounded))


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    if isinstance(value, float):
        return round(value, COORDINATE_PRECISION)
    return value


def metres_to_degrees(metres: float, lat: float) -> tuple[float, float]:
    """(degrees of latitude, degrees of longitude) spanning ``metres`` at latitude ``lat``."""
    dlat = metres / EARTH_METRES_PER_DEGREE
    dlon = metres / (EARTH_METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    return dlat, dlon


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Ground distance in metres between two nearby points."""
    mean_lat = math.radians((lat1 + lat2) / 2)
    dx = (lon2 - lon1) * math.cos(mean_lat) * EARTH_METRES_PER_DEGREE
    dy = (lat2 - lat1) * EARTH_METRES_PER_DEGREE
    return math.hypot(dx, dy)
