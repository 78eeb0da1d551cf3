"""A discussion's territory, set by its organiser: the union of what they drew on the map, the
districts, suburbs and buildings they picked, and the polygons of an uploaded GeoJSON file.

The result is one GeoJSON Polygon/MultiPolygon stored on the discussion (``territory``, with
its bounding box): eligibility, "discussions that concern my address", subscriptions and the
maps all test against that same polygon (no spatial database, ADR 0001). The part of a drawing
or file outside the city is cut off; a territory wholly outside the city is refused. The
discussion's districts become the districts the territory overlaps (for the list's filter).
Nothing chosen at all means the whole city (no polygon).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.errors import GEOSException, ShapelyError
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

from cityhall.core.errors import InvalidInput
from cityhall.geo.geometry import AREA_TYPES, area_shape, metres_to_degrees, to_geojson
from cityhall.geo.models import District

from ..models import Discussion
from .lifecycle import require_organiser, update_discussion

__all__ = [
    "BUILDING_HALF_SIDE_M",
    "MAX_TERRITORY_FILE_BYTES",
    "TerritoryParts",
    "compose_territory",
    "parse_territory_file",
    "set_territory",
]

#: A picked building counts as a square this many metres each side of its point (its plot).
BUILDING_HALF_SIDE_M = 30.0
MAX_TERRITORY_FILE_BYTES = 2 * 1024 * 1024
#: A territory's part outside the city smaller than this share of it is cut off silently
#: (a hand-drawn edge along the city boundary); a bigger part is cut off and said so.
OUTSIDE_TOLERANCE = 0.001


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]})


def _polygon_of(geometry: Any, *, field: str) -> BaseGeometry:
    """One drawn or uploaded geometry as a valid shape, with a translated reason when not:
    a crossing edge is named with the place where it crosses."""
    if isinstance(geometry, dict) and geometry.get("type") in AREA_TYPES:
        try:
            raw = shape(geometry)
            valid = raw.is_valid
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError):
            raw, valid = None, True  # area_shape below names the malformed coordinates
        except GEOSException:
            raw, valid = None, True
        if raw is not None and not valid:
            reason = explain_validity(raw)
            if reason.startswith(("Self-intersection", "Ring Self-intersection")):
                where = reason.partition("[")[2].rstrip("]").split()
                lon, lat = (float(where[0]), float(where[1])) if len(where) >= 2 else (0.0, 0.0)
                raise _refuse(
                    field,
                    _(
                        "The boundary crosses itself near latitude %(lat).5f, longitude "
                        "%(lon).5f. Draw it again so that its edges do not cross."
                    )
                    % {"lat": lat, "lon": lon},
                )
    return area_shape(geometry, field=field)


def parse_territory_file(data: bytes, *, field: str = "upload") -> BaseGeometry:
    """The polygons of a GeoJSON file (a geometry, a Feature or a FeatureCollection) as one
    shape; points and lines are refused, since a territory is an area."""
    if len(data) > MAX_TERRITORY_FILE_BYTES:
        raise _refuse(
            field,
            _("The file is larger than %(mb)s MB; simplify the boundary.")
            % {"mb": MAX_TERRITORY_FILE_BYTES // (1024 * 1024)},
        )
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(field, _("This file is not GeoJSON: it cannot be read as JSON.")) from None
    if not isinstance(value, dict):
        raise _refuse(field, _("This file is not GeoJSON: it has no “type”."))
    kind = value.get("type")
    if kind == "FeatureCollection":
        features = value.get("features")
        geometries = (
            [f.get("geometry") for f in features if isinstance(f, dict) and f.get("geometry")]
            if isinstance(features, list)
            else []
        )
    elif kind == "Feature":
        geometries = [value.get("geometry")] if value.get("geometry") else []
    elif kind == "GeometryCollection":
        geometries = value.get("geometries") if isinstance(value.get("geometries"), list) else []
    else:
        geometries = [value]
    if not geometries:
        raise _refuse(field, _("The file has no geometry."))
    others = sorted(
        {
            str(g.get("type")) if isinstance(g, dict) else type(g).__name__
            for g in geometries
            if not isinstance(g, dict) or g.get("type") not in AREA_TYPES
        }
    )
    if others:
        raise _refuse(
            field,
            _(
                "A territory is an area: the file must hold polygons only, but it also has "
                "%(kinds)s."
            )
            % {"kinds": ", ".join(others)},
        )
    return unary_union([_polygon_of(g, field=field) for g in geometries])


class TerritoryParts:
    """What the organiser chose, resolved into shapes (each with the form field it came from,
    so an error is shown next to the right field)."""

    def __init__(
        self,
        *,
        drawn: dict | None = None,
        uploaded: bytes | None = None,
        districts: Iterable[Any] = (),
        suburbs: Iterable[Any] = (),
        buildings: Iterable[Any] = (),
    ) -> None:
        self.shapes: list[tuple[str, BaseGeometry]] = []
        if drawn:
            self.shapes.append(("drawn", _polygon_of(drawn, field="drawn")))
        if uploaded:
            self.shapes.append(("upload", parse_territory_file(uploaded)))
        for area in [*districts, *suburbs]:
            self.shapes.append(("areas", area_shape(area.geometry, field="areas")))
        for building in buildings:
            dlat, dlon = metres_to_degrees(BUILDING_HALF_SIDE_M, building.lat)
            self.shapes.append(
                (
                    "buildings",
                    box(
                        building.lon - dlon,
                        building.lat - dlat,
                        building.lon + dlon,
                        building.lat + dlat,
                    ),
                )
            )


def _city() -> BaseGeometry | None:
    shapes = [area_shape(d.geometry) for d in District.objects.only("geometry") if d.geometry]
    return unary_union(shapes) if shapes else None


def compose_territory(parts: TerritoryParts) -> tuple[dict | None, list[int], bool]:
    """(GeoJSON of the union cut to the city or None for the whole city, ids of the districts
    it overlaps, whether a noticeable part outside the city was cut off)."""
    if not parts.shapes:
        return None, [], False
    city = _city()
    if city is None:
        union = unary_union([s for _f, s in parts.shapes])
        return to_geojson(union), [], False
    for field, part in parts.shapes:
        if not part.intersects(city) or part.intersection(city).area <= 0:
            raise _refuse(
                field,
                _(
                    "This territory lies outside the city. Check that the coordinates are "
                    "longitude then latitude in degrees (WGS 84) and that it is the right place."
                ),
            )
    union = unary_union([s for _f, s in parts.shapes])
    inside = shapely.make_valid(union.intersection(city))
    if inside.geom_type == "GeometryCollection":
        inside = unary_union([g for g in inside.geoms if g.geom_type in AREA_TYPES])
    cut = (union.area - inside.area) / union.area > OUTSIDE_TOLERANCE
    geojson = to_geojson(inside)
    if not shapely.is_valid(shape(geojson)):  # rounding to centimetres may pinch a ring
        geojson = to_geojson(shapely.make_valid(shape(geojson)).buffer(0))
    stored = area_shape(geojson, field="drawn")
    district_ids = [
        d.pk
        for d in District.objects.only("geometry")
        if d.geometry and stored.intersection(area_shape(d.geometry)).area > 0
    ]
    return geojson, district_ids, cut


def set_territory(
    *,
    actor: Any,
    discussion: Discussion,
    expected_version: int,
    parts: TerritoryParts,
    description: str | None = None,
) -> tuple[Discussion, bool]:
    """Store the territory composed of ``parts`` (an organiser of the discussion, while it is
    a draft or announced; audited and version-checked by :func:`update_discussion`). Returns
    the discussion and whether a part outside the city was cut off."""
    require_organiser(actor, discussion.organiser)
    geojson, district_ids, cut = compose_territory(parts)
    changes: dict[str, Any] = {
        "territory": geojson,
        "districts": list(District.objects.filter(pk__in=district_ids)),
    }
    if description is not None:
        changes["territory_description"] = description.strip()
    updated = update_discussion(
        actor=actor,
        discussion_id=discussion.pk,
        expected_version=expected_version,
        changes=changes,
    )
    return updated, cut
