"""An area a person gives on the map: one polygon drawn (Leaflet.draw) or pasted as GeoJSON.

Forms that ask for an area (a municipal service's "area" field) store the polygon as a GeoJSON
``Polygon`` geometry and check it here before it is kept: it must be one valid polygon in
longitude/latitude degrees, lie inside the city (the union of its districts), have between 3
and ``max_vertices`` corners and cover at most ``max_area_m2`` square metres. Pasted text may
be a Polygon, a Feature of one or a FeatureCollection holding exactly one; what is stored is the
bare geometry with coordinates rounded to about a centimetre (:func:`geometry.to_geojson`).
"""

from __future__ import annotations

import json
import math
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.ops import unary_union

from cityhall.core.errors import InvalidInput

from . import area_index
from .geometry import EARTH_METRES_PER_DEGREE, area_shape, to_geojson

__all__ = [
    "MAX_AREA_M2",
    "MAX_VERTICES",
    "area_m2",
    "drawn_area_problems",
    "normalised",
    "polygon_from_text",
]

MAX_VERTICES = 200
MAX_AREA_M2 = 5_000_000.0  # 5 km²: a plot, a yard, a street's stretch — not a district


def polygon_from_text(text: str) -> tuple[dict | None, str]:
    """(the Polygon geometry in pasted or drawn GeoJSON text, "") or (None, why not).
    Empty text is (None, "")."""
    text = (text or "").strip()
    if not text:
        return None, ""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None, _("This is not GeoJSON: paste the outline as a GeoJSON Polygon.")
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            return None, _("Give one area: the file holds %(n)s shapes.") % {
                "n": len(features) if isinstance(features, list) else 0
            }
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") != "Polygon":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        return None, _("Give one area (a Polygon), not %(kind)s.") % {"kind": kind}
    return data, ""


def _square_metres(geom) -> float:
    """Area in m² by a local equirectangular projection (well under 1 % off at city scale)."""
    lat0 = math.radians(geom.centroid.y)
    kx = math.cos(lat0) * EARTH_METRES_PER_DEGREE
    return shapely.transform(geom, lambda xy: xy * [kx, EARTH_METRES_PER_DEGREE]).area


def area_m2(geometry: Any) -> float | None:
    """The area of a stored polygon in m², None when it is not one."""
    try:
        return _square_metres(shape(geometry))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def drawn_area_problems(
    geometry: Any, *, max_vertices: int = MAX_VERTICES, max_area_m2: float = MAX_AREA_M2
) -> list[str]:
    """What is wrong with a Polygon given as an area (empty when nothing is)."""
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        return [_("Give one area (a Polygon).")]
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or not rings or not all(isinstance(r, list) for r in rings):
        return [_("The area's coordinates are malformed.")]
    corners = sum(max(len(ring) - 1, 0) for ring in rings)
    if corners > max_vertices:
        return [
            _("The area has %(n)s corners; at most %(max)s are accepted: simplify the outline.")
            % {"n": corners, "max": max_vertices}
        ]
    try:
        geom = area_shape(geometry, field="area")
    except InvalidInput as refused:
        return [str(m) for messages in refused.fields.values() for m in messages]
    if len(geom.exterior.coords) - 1 < 3:
        return [_("An area needs at least three corners.")]
    size = _square_metres(geom)
    if size > max_area_m2:
        return [
            _("The area is %(size)s m²; at most %(max)s m² is accepted.")
            % {
                "size": f"{size:,.0f}".replace(",", " "),
                "max": f"{max_area_m2:,.0f}".replace(",", " "),
            }
        ]
    districts = [entry.geom for entry in area_index.current().districts]
    if not districts:
        return []  # a city without districts yet: nothing to be outside of
    city = unary_union(districts)
    if not city.buffer(1e-7).covers(geom):
        if not city.intersects(geom):
            return [_("This area is outside the city. Draw it inside the city.")]
        return [_("Part of this area is outside the city. Draw it inside the city.")]
    return []


def normalised(geometry: dict) -> dict:
    """The polygon as stored: 2-D coordinates rounded to about a centimetre."""
    return to_geojson(shapely.force_2d(shape(geometry)))
