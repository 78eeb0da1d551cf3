"""Changes to the city's map: districts, suburbs and buildings, one by one or from GeoJSON.

Every change is audited. Boundaries are checked before they are stored (valid polygons, districts
do not overlap, a suburb lies inside its district), and a building is placed in its district and
suburb by its point, never by what somebody typed — so that routing a request or checking who
may take part in a discussion can trust ``building.district``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput

from . import area_index
from .addresses import clean_house, compose_address, house_number, normalise_address
from .geometry import area_shape, point_error
from .models import Building, District, Suburb

__all__ = [
    "save_area",
    "delete_area",
    "check_area",
    "create_building",
    "update_building",
    "delete_building",
    "check_building",
    "import_geojson",
    "ImportResult",
    "ImportFailed",
    "FeatureError",
    "BUILDING_ATTRIBUTES",
]

AREA_KINDS = ("district", "suburb")
IMPORT_KINDS = ("district", "suburb", "building")
BUILDING_ATTRIBUTES = ("floors", "apartments", "year_built")
# Neighbouring boundaries drawn by different people never match to the last digit: an overlap
# below this share of the smaller area is a drawing tolerance, not a conflict.
OVERLAP_TOLERANCE = 0.002
CADASTRAL_NUMBER = re.compile(r"^\d{2}:\d{2}:\d{6,7}:\d{1,10}$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_REPORTED_ERRORS = 200

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


def _save_area(
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
        changed = [f for f, value in values.items() if _differs(area, f, value)]
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
    area, _outcome = _save_area(
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


def _differs(obj: Any, name: str, value: Any) -> bool:
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


# --- Buildings -------------------------------------------------------------------------------


def _whole(value: Any, *, low: int, high: int, message: str) -> tuple[int | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, bool):
        return None, message
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None, message
    if isinstance(value, float) and value != number:
        return None, message
    if not low <= number <= high:
        return None, message
    return number, None


def check_building(
    *,
    street: str,
    house: str,
    lat: Any,
    lon: Any,
    cadastral_number: str = "",
    exclude: Building | None = None,
    **attributes: Any,
) -> dict[str, Any]:
    """Validates a building; returns the values to store (address, key, point, district,
    suburb, attributes) or raises :class:`InvalidInput` naming the fields at fault."""
    unknown = set(attributes) - set(BUILDING_ATTRIBUTES)
    if unknown:
        raise TypeError(f"unknown building attributes: {', '.join(sorted(unknown))}")
    errors: dict[str, list[str]] = {}
    street = " ".join((street or "").split()).strip(" ,")
    house = clean_house(house)
    if not normalise_address(street):  # nothing left but "ул." and punctuation
        errors["street"] = [_("Give the street.")]
    elif len(street) > 200:
        errors["street"] = [_("A street has at most 200 characters.")]
    if not house or not any(ch.isdigit() for ch in house):
        errors["house"] = [_("Give the house number.")]
    elif len(house) > 30:
        errors["house"] = [_("A house number has at most 30 characters.")]
    cadastral_number = (cadastral_number or "").strip()
    if cadastral_number and not CADASTRAL_NUMBER.match(cadastral_number):
        errors["cadastral_number"] = [
            _("A cadastral number looks like 16:50:011105:123 (region:area:block:number).")
        ]
    values: dict[str, Any] = {}
    limits = {
        "floors": (1, 200, _("Floors: a whole number from 1 to 200.")),
        "apartments": (0, 100_000, _("Apartments: a whole number, 0 or more.")),
        "year_built": (
            1000,
            timezone.localdate().year + 5,
            _("Year built: a year from 1000 to five years ahead."),
        ),
    }
    for name in BUILDING_ATTRIBUTES:
        if name in attributes:
            low, high, message = limits[name]
            values[name], error = _whole(attributes[name], low=low, high=high, message=message)
            if error:
                errors[name] = [error]
    location_error = point_error(lat, lon)
    location = None
    if location_error:
        errors["location"] = [location_error]
    else:
        lat, lon = float(lat), float(lon)
        district, suburb = area_index.current().find(lon, lat)
        if district is None:
            errors["location"] = [_("This point is outside the city's districts.")]
        location = (district, suburb)
    address = compose_address(street, house)
    key = normalise_address(address)
    if "street" not in errors and "house" not in errors:
        if len(address) > 300:
            errors["street"] = [_("The address is too long.")]
        else:
            duplicates = Building.objects.filter(address_normalised=key)
            if exclude is not None:
                duplicates = duplicates.exclude(pk=exclude.pk)
            if duplicates.exists():
                if not errors:
                    raise _duplicate(address)
                errors["house"] = [_duplicate(address).fields["house"][0]]
    if errors:
        raise InvalidInput(fields=errors)
    district, suburb = location
    return {
        "street": street,
        "house": house,
        "house_number": house_number(house),
        "address": address,
        "address_normalised": key,
        "lat": lat,
        "lon": lon,
        "district": district,
        "suburb": suburb,
        "cadastral_number": cadastral_number,
        **values,
    }


BUILDING_AUDIT_FIELDS = [
    "address",
    "street",
    "house",
    "lat",
    "lon",
    "district",
    "suburb",
    "cadastral_number",
    "floors",
    "apartments",
    "year_built",
]


def _duplicate(address: str) -> InvalidInput:
    return InvalidInput(
        code="duplicate_address",
        fields={"house": [_("The building “%(address)s” already exists.") % {"address": address}]},
    )


def create_building(
    *,
    actor: Any,
    street: str,
    house: str,
    lat: float,
    lon: float,
    cadastral_number: str = "",
    **extra: Any,
) -> Building:
    """Adds a building; its district and suburb come from its point. A point outside the city
    is refused (field "location"), as is a second building at the same address however it is
    spelled (field "house", code "duplicate_address"). ``extra``: floors, apartments,
    year_built."""
    with transaction.atomic():
        values = check_building(
            street=street,
            house=house,
            lat=lat,
            lon=lon,
            cadastral_number=cadastral_number,
            **extra,
        )
        try:
            with transaction.atomic():
                building = Building.objects.create(**values)
        except IntegrityError:  # the same address added at the same moment by somebody else
            raise _duplicate(values["address"]) from None
        audit.record(
            actor=actor,
            action="geo.building_created",
            target=building,
            after=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
    return building


def _update_building(*, actor: Any, building: Building, changes: dict[str, Any]) -> str:
    allowed = {"street", "house", "lat", "lon", "cadastral_number", *BUILDING_ATTRIBUTES}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown building fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        building = Building.objects.select_for_update().get(pk=building.pk)
        current = {
            "street": building.street,
            "house": building.house,
            "lat": building.lat,
            "lon": building.lon,
            "cadastral_number": building.cadastral_number,
            **{name: getattr(building, name) for name in BUILDING_ATTRIBUTES},
        }
        wanted = {**current, **changes}
        values = check_building(exclude=building, **wanted)
        changed = [f for f, value in values.items() if _differs(building, f, value)]
        if not changed:
            return "unchanged"
        before = audit.snapshot(building, BUILDING_AUDIT_FIELDS)
        for name in changed:
            setattr(building, name, values[name])
        try:
            with transaction.atomic():
                building.save(update_fields=[*changed, "updated_at"])
        except IntegrityError:
            raise _duplicate(values["address"]) from None
        audit.record(
            actor=actor,
            action="geo.building_updated",
            target=building,
            before=before,
            after=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
    return "updated"


def update_building(*, actor: Any, building: Building, **changes: Any) -> Building:
    """Changes a building's address, point or attributes (street, house, lat, lon,
    cadastral_number, floors, apartments, year_built); the district and suburb follow the
    point. The same values again change nothing."""
    _update_building(actor=actor, building=building, changes=changes)
    building.refresh_from_db()
    return building


def delete_building(*, actor: Any, building: Building) -> None:
    """Removes a building nothing refers to (requests and rights keep theirs)."""
    with transaction.atomic():
        building = Building.objects.select_for_update().get(pk=building.pk)
        audit.record(
            actor=actor,
            action="geo.building_deleted",
            target=building,
            before=audit.snapshot(building, BUILDING_AUDIT_FIELDS),
        )
        try:
            with transaction.atomic():
                building.delete()
        except ProtectedError:
            raise Conflict(
                _("“%(address)s” is referred to by other records and cannot be removed.")
                % {"address": building.address},
                code="building_in_use",
            ) from None


# --- GeoJSON import --------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureError:
    """One problem of one feature; ``index`` counts from 0 (None: the file as a whole)."""

    index: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = _("file") if self.index is None else _("feature %(n)s") % {"n": self.index}
        return f"{where}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass
class _Problems:
    errors: list[FeatureError] = field(default_factory=list)
    dropped: int = 0

    def add(self, index: int | None, fields: dict[str, list], message: str = "") -> None:
        items = [(name, str(m)) for name, msgs in fields.items() for m in msgs] or [
            ("__all__", message)
        ]
        for name, text in items:
            if len(self.errors) < MAX_REPORTED_ERRORS:
                self.errors.append(FeatureError(index, name, text))
            else:
                self.dropped += 1


class ImportFailed(InvalidInput):
    """The file was refused as a whole; ``errors`` says which feature is wrong and why."""

    code = "import_failed"

    def __init__(self, errors: list[FeatureError], dropped: int = 0) -> None:
        self.errors = errors
        self.dropped = dropped
        fields: dict[str, list[str]] = {}
        for error in errors:
            key = error.field if error.index is None else f"features[{error.index}].{error.field}"
            fields.setdefault(key, []).append(error.message)
        message = _("Nothing was imported: %(n)s problem(s) found.") % {"n": len(errors) + dropped}
        super().__init__(message, fields=fields)


def _feature_parts(feature: Any) -> tuple[dict, Any]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput(fields={"type": [_("Each item must be a GeoJSON Feature.")]})
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInput(fields={"properties": [_("Properties must be an object.")]})
    return properties, feature.get("geometry")


def _text(properties: dict, name: str) -> str:
    value = properties.get(name)
    return "" if value is None else str(value)


def _import_area(*, actor: Any, kind: str, feature: Any, seen: dict[str, int]) -> str:
    properties, geometry = _feature_parts(feature)
    code = _text(properties, "code").strip() or str(feature.get("id") or "").strip()
    if code in seen:
        raise InvalidInput(
            fields={"code": [_("Feature %(n)s has the same code.") % {"n": seen[code]}]}
        )
    _area, outcome = _save_area(
        actor=actor,
        kind=kind,
        code=code,
        name=_text(properties, "name"),
        geometry=geometry,
        district=_text(properties, "district") if kind == "suburb" else None,
        name_tt=_text(properties, "name_tt"),
        name_en=_text(properties, "name_en"),
    )
    return outcome


def _import_building(*, actor: Any, feature: Any, seen: dict[str, int]) -> str:
    properties, geometry = _feature_parts(feature)
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if (
        not isinstance(geometry, dict)
        or geometry.get("type") != "Point"
        or not isinstance(coordinates, list | tuple)
        or len(coordinates) < 2
    ):
        raise InvalidInput(
            fields={"geometry": [_("A building is a Point with [longitude, latitude].")]}
        )
    lon, lat = coordinates[0], coordinates[1]
    street, house = _text(properties, "street"), _text(properties, "house")
    key = normalise_address(compose_address(street, clean_house(house)))
    if key and key in seen:
        raise InvalidInput(
            fields={"house": [_("Feature %(n)s has the same address.") % {"n": seen[key]}]}
        )
    attributes = {name: properties.get(name) for name in BUILDING_ATTRIBUTES if name in properties}
    cadastral_number = _text(properties, "cadastral_number")
    existing = Building.objects.filter(address_normalised=key).first() if key else None
    if existing is None:
        create_building(
            actor=actor,
            street=street,
            house=house,
            lat=lat,
            lon=lon,
            cadastral_number=cadastral_number,
            **attributes,
        )
        return "created"
    changes: dict[str, Any] = {"street": street, "house": house, "lat": lat, "lon": lon}
    if "cadastral_number" in properties:
        changes["cadastral_number"] = cadastral_number
    changes.update(attributes)
    return _update_building(actor=actor, building=existing, changes=changes)


def _seen_key(kind: str, feature: Any) -> str:
    if not isinstance(feature, dict):
        return ""
    properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
    if kind == "building":
        street, house = _text(properties, "street"), _text(properties, "house")
        return normalise_address(compose_address(street, clean_house(house)))
    return _text(properties, "code").strip() or str(feature.get("id") or "").strip()


def import_geojson(
    *,
    actor: Any,
    data: Any,
    kind: str,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Imports a GeoJSON FeatureCollection of districts, suburbs or buildings, all or nothing.

    Areas are matched by ``properties.code`` (or the feature's ``id``), buildings by their
    normalised address, so importing the same file again changes nothing. Every feature is
    checked; if any is wrong, nothing is saved and :class:`ImportFailed` lists each problem with
    the feature's index (from 0). ``progress(done, total)`` is called after each feature.

    Feature properties — areas: code, name, name_tt, name_en, and district (its code) for a
    suburb; buildings: street, house, cadastral_number, floors, apartments, year_built, with a
    Point geometry."""
    if kind not in IMPORT_KINDS:
        raise InvalidInput(fields={"kind": [_("Choose “district”, “suburb” or “building”.")]})
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed([FeatureError(None, "type", _("Expected a GeoJSON FeatureCollection."))])
    features = data.get("features")
    if not isinstance(features, list):
        raise ImportFailed([FeatureError(None, "features", _("“features” must be a list."))])
    result = ImportResult(kind=kind, total=len(features))
    problems = _Problems()
    seen: dict[str, int] = {}
    with transaction.atomic():
        for index, feature in enumerate(features):
            try:
                with transaction.atomic():
                    if kind == "building":
                        outcome = _import_building(actor=actor, feature=feature, seen=seen)
                    else:
                        outcome = _import_area(actor=actor, kind=kind, feature=feature, seen=seen)
            except InvalidInput as exc:
                problems.add(index, exc.fields, str(exc.message))
            else:
                setattr(result, outcome, getattr(result, outcome) + 1)
            key = _seen_key(kind, feature)
            if key:
                seen.setdefault(key, index)
            if progress is not None:
                progress(index + 1, len(features))
        if problems.errors:
            raise ImportFailed(problems.errors, problems.dropped)
        if result.created or result.updated:
            audit.record(
                actor=actor,
                action="geo.imported",
                object_type="geo.import",
                object_id=kind,
                after=result.as_dict(),
            )
    return result
