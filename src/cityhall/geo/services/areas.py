"""Districts and suburbs: checking, saving and deleting a boundary.

A boundary is a valid polygon; districts do not overlap (beyond ``OVERLAP_TOLERANCE``) and a
suburb lies inside its district. When a boundary moves, the buildings inside the old or new
one are placed again by their point, each move audited.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from .. import area_index
from ..geometry import area_shape
from ..models import Building, District, Suburb

__all__ = [
    "AREA_KINDS",
    "OVERLAP_TOLERANCE",
    "SLUG",
    "check_area",
    "delete_area",
    "field_differs",
    "save_area",
    "save_area_with_outcome",
]

AREA_KINDS = ("district", "suburb")

# Neighbouring boundaries drawn by different people never match to the last digit: an overlap
# below this share of the smaller area is a drawing tolerance, not a conflict.
OVERLAP_TOLERANCE = 0.002

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")

Area = District | Suburb


def _model(kind: str) -> type[District] | type[Suburb]:
    if kind == "district":
        return District
    if kind == "suburb":
        return Suburb
    raise InvalidInput(fields={"kind": [_("Choose “district” or “suburb”.")]})


def _canonical(geometry: Any) -> Any:
    """What the database gives back (lists, not tuples), so unchanged input compares equal."""
    return json.loads(json.dumps(geometry))


def _geometry_digest(geometry: Any) -> str:
    text = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _area_snapshot(area: Area) -> dict:
    fields = ["code", "name", "name_tt", "name_en", "min_lon", "min_lat", "max_lon", "max_lat"]
    if isinstance(area, Suburb):
        fields.append("district")
    return {**audit.snapshot(area, fields), "geometry_sha256": _geometry_digest(area.geometry)}


def _bbox_overlapping(queryset, bounds: tuple[float, float, float, float]):
    min_lon, min_lat, max_lon, max_lat = bounds
    return queryset.filter(
        min_lon__lte=max_lon, max_lon__gte=min_lon, min_lat__lte=max_lat, max_lat__gte=min_lat
    )


def _overlap_share(a: BaseGeometry, b: BaseGeometry) -> float:
    smaller = min(a.area, b.area)
    return a.intersection(b).area / smaller if smaller else 0.0


def _resolve_district(district: District | str | None) -> District | None:
    if isinstance(district, District):
        return district
    if district:
        return District.objects.filter(code=str(district).strip()).first()
    return None


def check_area(
    *,
    kind: str,
    code: str,
    name: str,
    geometry: Any,
    district: District | str | None = None,
) -> tuple[BaseGeometry, District | None]:
    """Validates an area before it is saved; returns its shape and (for a suburb) its district.

    Raises :class:`InvalidInput` naming the fields at fault: a district may not overlap another
    district nor leave one of its suburbs outside; a suburb must lie inside its district and
    may not overlap the district's other suburbs."""
    model = _model(kind)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = [_("Give the area a code (Latin letters, digits, “-” and “_”).")]
    elif not SLUG.match(code) or len(code) > 50:
        errors["code"] = [_("A code has at most 50 Latin letters, digits, “-” and “_”.")]
    if not (name or "").strip():
        errors["name"] = [_("Give the area a name.")]
    elif len(name.strip()) > 200:
        errors["name"] = [_("A name has at most 200 characters.")]
    geom = None
    try:
        geom = area_shape(geometry)
    except InvalidInput as exc:
        errors.update(exc.fields)
    parent = None
    if model is Suburb:
        parent = _resolve_district(district)
        if parent is None:
            errors["district"] = [
                _("Name the district the suburb belongs to.")
                if not district
                else _("There is no district with the code “%(code)s”.") % {"code": district}
            ]
    if errors:
        raise InvalidInput(fields=errors)
    assert geom is not None
    problems: list[str] = []
    if model is District:
        others = _bbox_overlapping(District.objects.exclude(code=code), geom.bounds)
        for other in others:
            if _overlap_share(geom, shape(other.geometry)) > OVERLAP_TOLERANCE:
                problems.append(
                    _("The boundary overlaps the district “%(name)s”.") % {"name": other.name}
                )
        for suburb in Suburb.objects.filter(district__code=code):
            suburb_geom = shape(suburb.geometry)
            if suburb_geom.difference(geom).area > OVERLAP_TOLERANCE * suburb_geom.area:
                problems.append(
                    _("The suburb “%(name)s” would no longer lie inside the district.")
                    % {"name": suburb.name}
                )
    else:
        district_geom = shape(parent.geometry)
        if geom.difference(district_geom).area > OVERLAP_TOLERANCE * geom.area:
            problems.append(
                _("A suburb must lie inside its district “%(name)s”.") % {"name": parent.name}
            )
        siblings = _bbox_overlapping(
            Suburb.objects.filter(district=parent).exclude(code=code), geom.bounds
        )
        for other in siblings:
            if _overlap_share(geom, shape(other.geometry)) > OVERLAP_TOLERANCE:
                problems.append(
                    _("The boundary overlaps the suburb “%(name)s”.") % {"name": other.name}
                )
    if problems:
        raise InvalidInput(fields={"geometry": problems})
    return geom, parent


def save_area_with_outcome(
    *,
    actor: Any,
    kind: str,
    code: str,
    name: str,
    geometry: Any,
    district: District | str | None,
    name_tt: str,
    name_en: str,
) -> tuple[Area, str]:
    """``save_area`` that also says what happened (``created``, ``updated`` or
    ``unchanged``): the GeoJSON import counts each outcome."""
    model = _model(kind)
    code = (code or "").strip()
    geometry = _canonical(geometry)
    with transaction.atomic():
        geom, parent = check_area(
            kind=kind, code=code, name=name, geometry=geometry, district=district
        )
        min_lon, min_lat, max_lon, max_lat = geom.bounds
        values: dict[str, Any] = {
            "name": name.strip(),
            "name_tt": (name_tt or "").strip(),
            "name_en": (name_en or "").strip(),
            "geometry": geometry,
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }
        if parent is not None:
            values["district"] = parent
        area = model.objects.select_for_update().filter(code=code).first()
        if area is None:
            area = model.objects.create(code=code, **values)
            audit.record(
                actor=actor,
                action=f"geo.{kind}_created",
                target=area,
                after=_area_snapshot(area),
            )
            _relocate_buildings(actor=actor, bounds=area.bbox)
            return area, "created"
        changed = [f for f, value in values.items() if field_differs(area, f, value)]
        if not changed:
            return area, "unchanged"
        before, old_bounds = _area_snapshot(area), area.bbox
        for f in changed:
            setattr(area, f, values[f])
        area.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor=actor,
            action=f"geo.{kind}_updated",
            target=area,
            before=before,
            after=_area_snapshot(area),
        )
        _relocate_buildings(actor=actor, bounds=_union(old_bounds, area.bbox))
    return area, "updated"


def save_area(
    *,
    actor: Any,
    kind: str,
    code: str,
    name: str,
    geometry: dict,
    district: District | str | None = None,
    name_tt: str = "",
    name_en: str = "",
) -> Area:
    """Creates or updates the district or suburb with this ``code`` (saving the same values
    again changes nothing and writes no audit record). ``district`` (instance or code) is
    required for a suburb. Buildings inside the old or new boundary are re-placed."""
    area, _outcome = save_area_with_outcome(
        actor=actor,
        kind=kind,
        code=code,
        name=name,
        geometry=geometry,
        district=district,
        name_tt=name_tt,
        name_en=name_en,
    )
    return area


def delete_area(*, actor: Any, area: Area) -> None:
    """Removes a district or suburb that nothing refers to any more."""
    kind = "district" if isinstance(area, District) else "suburb"
    with transaction.atomic():
        area = type(area).objects.select_for_update().get(pk=area.pk)
        in_use = area.buildings.exists() or (kind == "district" and area.suburbs.exists())
        if in_use:
            raise Conflict(
                _("“%(name)s” still has suburbs or buildings; move or remove them first.")
                % {"name": area.name},
                code="area_in_use",
            )
        audit.record(
            actor=actor, action=f"geo.{kind}_deleted", target=area, before=_area_snapshot(area)
        )
        try:
            area.delete()
        except ProtectedError:
            raise Conflict(
                _("“%(name)s” is still referred to elsewhere.") % {"name": area.name},
                code="area_in_use",
            ) from None


def field_differs(obj: Any, name: str, value: Any) -> bool:
    """Whether saving ``value`` as ``name`` would change ``obj`` (a district or suburb is
    compared by its id): areas and buildings save only the fields that changed."""
    if name in ("district", "suburb"):
        return getattr(obj, f"{name}_id") != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def _union(a: tuple, b: tuple) -> tuple[float, float, float, float]:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _relocate_buildings(*, actor: Any, bounds: tuple[float, float, float, float]) -> int:
    """Re-places the buildings inside ``bounds`` after a boundary changed; returns how many
    moved. Each move is audited."""
    min_lon, min_lat, max_lon, max_lat = bounds
    index = area_index.current()
    moved = 0
    candidates = Building.objects.filter(
        lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon
    ).only("id", "lat", "lon", "district_id", "suburb_id", "address")
    for building in candidates.iterator(chunk_size=2000):
        district, suburb = index.find(building.lon, building.lat)
        district_id = district.pk if district else None
        suburb_id = suburb.pk if suburb else None
        if (district_id, suburb_id) == (building.district_id, building.suburb_id):
            continue
        before = {"district": building.district_id, "suburb": building.suburb_id}
        building.district_id, building.suburb_id = district_id, suburb_id
        building.save(update_fields=["district", "suburb", "updated_at"])
        audit.record(
            actor=actor,
            action="geo.building_relocated",
            target=building,
            before=before,
            after={"district": district_id, "suburb": suburb_id},
        )
        moved += 1
    return moved
