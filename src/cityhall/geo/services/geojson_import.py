"""Importing districts, suburbs or buildings from a GeoJSON FeatureCollection, all or nothing.

Each feature goes through the same checks as one saved by hand (``areas``, ``buildings``); if
any is wrong nothing is saved and ``ImportFailed`` lists every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import InvalidInput

from ..addresses import clean_house, compose_address, normalise_address
from ..models import Building
from .areas import save_area_with_outcome
from .buildings import BUILDING_ATTRIBUTES, create_building, update_building_with_outcome

IMPORT_KINDS = ("district", "suburb", "building")

MAX_REPORTED_ERRORS = 200


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
    _area, outcome = save_area_with_outcome(
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
    return update_building_with_outcome(actor=actor, building=existing, changes=changes)


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
