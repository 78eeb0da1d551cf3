"""A service form's field answered by drawing an area on the map (issue 14): the "area" type.

In the form definition (the existing format: JSON Schema plus UI hints) an area is an object
property holding a GeoJSON ``Polygon`` geometry, with the hint ``"widget": "area"``::

    "plot": {"type": "object", "required": ["type", "coordinates"],
             "properties": {"type": {"const": "Polygon"},
                            "coordinates": {"type": "array", "minItems": 1}}}

and, optionally, the hints ``max_area_m2`` and ``max_vertices`` (defaults in
:mod:`cityhall.geo.drawn_area`). The stored answer is the geometry itself:
``{"type": "Polygon", "coordinates": [[[lon, lat], ...]]}``, coordinates rounded to about a
centimetre.

It is answered by drawing on the map (Leaflet.draw, or corners placed from the keyboard at the
map's centre); the drawing is written as GeoJSON into the field's text box, which is also the
answer without JavaScript: the page says so and takes the outline pasted as GeoJSON (what a
surveyor or a mapping program gives). Checked on the server on every channel (page, API,
intake): one valid polygon, inside the city, at most so many corners and square metres.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

from cityhall.geo.drawn_area import (
    MAX_AREA_M2,
    MAX_VERTICES,
    area_m2,
    drawn_area_problems,
    normalised,
    polygon_from_text,
)

__all__ = [
    "AREA",
    "AREA_PROPERTY",
    "area_from_post",
    "area_problems",
    "area_text",
    "area_json",
    "is_area",
]

AREA = "area"
MAX_TEXT = 50_000  # characters of pasted GeoJSON: 200 corners take under 10,000

#: The schema property of an area field (what the service designer writes).
AREA_PROPERTY: dict[str, Any] = {
    "type": "object",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"const": "Polygon"},
        "coordinates": {"type": "array", "minItems": 1},
    },
}


def is_area(prop: dict, hints: dict | None = None) -> bool:
    """Whether a schema property is an area field (the hint, or a Polygon-typed object)."""
    if (hints or {}).get("widget") == AREA:
        return True
    kind = ((prop.get("properties") or {}).get("type") or {}).get("const")
    return prop.get("type") == "object" and kind == "Polygon"


def area_from_post(name: str, data) -> Any:
    """The area a posted form gives for field ``name`` (its text box of GeoJSON): the Polygon,
    or the text as typed when it is not one (so the check says why); None when empty."""
    text = (data.get(name) or "").strip()
    if not text:
        return None
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT]
    polygon, _problem = polygon_from_text(text)
    if polygon is None:
        return text
    try:
        return normalised(polygon)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        return polygon  # malformed coordinates: the check names the problem


def area_problems(value: Any, hints: dict | None = None) -> list[str]:
    """What is wrong with an area answer that the schema cannot say."""
    hints = hints or {}
    if isinstance(value, str):
        if len(value) >= MAX_TEXT:
            return [
                _("The outline is too long: simplify it to at most %(n)s corners.")
                % {"n": hints.get("max_vertices") or MAX_VERTICES}
            ]
        polygon, problem = polygon_from_text(value)
        if polygon is None:
            return [problem] if problem else []
        value = polygon
    return drawn_area_problems(
        value,
        max_vertices=int(hints.get("max_vertices") or MAX_VERTICES),
        max_area_m2=float(hints.get("max_area_m2") or MAX_AREA_M2),
    )


def area_text(value: Any) -> str:
    """An area answer as people read it: its size and number of corners."""
    if not isinstance(value, dict):
        return str(value or "")
    size = area_m2(value)
    if size is None:
        return ""
    rings = value.get("coordinates") or [[]]
    corners = max(len(rings[0]) - 1, 0)
    return _("An area of %(size)s m² with %(corners)s corners, drawn on the map") % {
        "size": f"{size:,.0f}".replace(",", " "),
        "corners": corners,
    }


def area_json(value: Any) -> str:
    """What the field's text box shows: the stored polygon as GeoJSON, or the text as typed."""
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value or "")


def field_map(field) -> Any:
    """The map an area field is drawn on (geo's component with Leaflet.draw)."""
    from cityhall.geo.web_map import web_map

    # The drawn polygon itself is put on the map by the field's script, from the text box,
    # as the editable drawing; the map only starts around it.
    return web_map(
        map_id=f"{field.id}-map",
        label=_("Map: draw the area for “%(label)s”") % {"label": field.label},
        bounds=_bounds(field.value),
        size="medium",
        show_list=False,
        draw=True,
    )


def _bounds(value: Any) -> tuple[float, float, float, float] | None:
    if not isinstance(value, dict) or area_m2(value) is None:
        return None
    from shapely.geometry import shape

    min_lon, min_lat, max_lon, max_lat = shape(value).bounds
    return (min_lon - 0.002, min_lat - 0.002, max_lon + 0.002, max_lat + 0.002)
