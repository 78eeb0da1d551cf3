"""A service form's field answered on the map (issue 14): the "point" field type.

In the form definition (the existing format: JSON Schema plus UI hints) a point is an object
property with numeric ``lat`` and ``lon``, optionally ``address`` and ``building``, and the
hint ``"widget": "point"`` (an object with ``lat`` and ``lon`` properties is a point even
without the hint)::

    "site": {"type": "object", "required": ["lat", "lon"],
             "properties": {"lat": {"type": "number"}, "lon": {"type": "number"},
                            "address": {"type": "string"}, "building": {"type": "integer"}}}

It is answered by clicking the map (the pin snaps to the building within 60 m), or without
JavaScript by the address (found in the city's register of buildings) or the latitude and
longitude typed; the answer stored is ``{"lat", "lon", "address"[, "building"]}``. A point
outside the city is refused with the field's message. Read by :mod:`.schema_form`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cityhall.geo import selectors as geo

__all__ = [
    "POINT",
    "POINT_PROPERTY",
    "is_point",
    "point_from_post",
    "point_problems",
    "point_text",
    "points_map",
]

POINT = "point"
SNAP_METRES = 60

#: The schema property of a point field (what the service designer writes).
POINT_PROPERTY: dict[str, Any] = {
    "type": "object",
    "required": ["lat", "lon"],
    "properties": {
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "address": {"type": "string", "maxLength": 300},
        "building": {"type": "integer"},
    },
}


def is_point(prop: dict, hints: dict | None = None) -> bool:
    """Whether a schema property is a point field (the hint, or an object with lat and lon)."""
    if (hints or {}).get("widget") == POINT:
        return True
    properties = prop.get("properties") or {}
    return prop.get("type") == "object" and "lat" in properties and "lon" in properties


def _number(raw: str | None) -> float | str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        return raw


def point_from_post(name: str, data) -> dict[str, Any] | None:
    """The point a posted form gives for field ``name`` (``name.lat``, ``name.lon``,
    ``name.address``, ``name.building``): typed or clicked coordinates first, else the
    address's building; None when nothing was given."""
    lat, lon = _number(data.get(f"{name}.lat")), _number(data.get(f"{name}.lon"))
    address = (data.get(f"{name}.address") or "").strip()[:300]
    building_id = (data.get(f"{name}.building") or "").strip()
    answer: dict[str, Any] = {}
    if address:
        answer["address"] = address
    if lat is not None or lon is not None:
        answer.update({k: v for k, v in (("lat", lat), ("lon", lon)) if v is not None})
        if building_id.isdigit() and isinstance(lat, float) and isinstance(lon, float):
            answer["building"] = int(building_id)
        return answer
    if address:
        found = geo.find_building(address)
        if found is None:
            matches = geo.search_buildings(address, limit=2)
            found = matches[0] if len(matches) == 1 else None
        if found is not None:
            answer.update(lat=found.lat, lon=found.lon, address=found.address, building=found.pk)
        return answer
    return None


def point_problems(value: Any) -> list[str]:
    """What is wrong with a point answer that the schema cannot say: where it is."""
    if not isinstance(value, dict):
        return []
    lat, lon = value.get("lat"), value.get("lon")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        if value.get("address"):
            return [_("This address is not in the city's register: choose the place on the map.")]
        return []
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not geo.is_inside_city(lat, lon):
        return [_("This point is outside the city. Choose a place inside it.")]
    return []


def point_text(value: Any) -> str:
    """A point answer as people read it: the address and the coordinates."""
    if not isinstance(value, dict):
        return str(value or "")
    lat, lon = value.get("lat"), value.get("lon")
    where = (
        f"{lat:.6f}, {lon:.6f}"
        if isinstance(lat, int | float) and isinstance(lon, int | float)
        else ""
    )
    address = str(value.get("address") or "")
    if address and where:
        return f"{address} ({where})"
    return address or where


def field_map(field) -> Any:
    """The map answering one point field (geo's component in pick mode)."""
    from cityhall.geo.web_map import web_map

    value = field.value if isinstance(field.value, dict) else {}
    lat, lon = value.get("lat"), value.get("lon")
    bounds = None
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        # The chosen point is the picked pin, which the field's script sets from the inputs.
        bounds = (lon - 0.004, lat - 0.0025, lon + 0.004, lat + 0.0025)
    return web_map(
        map_id=f"{field.id}-map",
        label=_("Map: click the place for “%(label)s”") % {"label": field.label},
        bounds=bounds,
        size="small",
        show_list=False,
        pick=True,
    )


def points_map(
    rows: list[tuple[str, Any]],
    *,
    areas: list[tuple[str, Any]] = (),
    map_id: str = "answers-map",
) -> Any:
    """A map of an application's point answers ((label, value) rows) and drawn areas ((label,
    Polygon) rows, :mod:`.area_field`), None without any."""
    from cityhall.geo.web_map import Pin, Shape, web_map

    pins = [
        Pin(lat=v["lat"], lon=v["lon"], title=f"{label}: {point_text(v)}", kind="picked")
        for label, v in rows
        if isinstance(v, dict)
        and isinstance(v.get("lat"), int | float)
        and isinstance(v.get("lon"), int | float)
    ]
    shapes = [
        Shape(geometry=v, title=label, fill="#9cc3e6")
        for label, v in areas
        if isinstance(v, dict) and v.get("type") == "Polygon"
    ]
    if not pins and not shapes:
        return None
    return web_map(
        map_id=map_id,
        label=_("Map of the places given in the application"),
        pins=pins,
        shapes=shapes,
        size="small",
        show_list=False,
    )
