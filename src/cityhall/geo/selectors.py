"""Read queries of the city's map: where a point is, which building an address means, and the
districts, suburbs and buildings as GeoJSON. The public surface other apps use is ``__all__``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import shapely
from django.db import connections
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from shapely.geometry.base import BaseGeometry

from . import area_index, building_index
from .addresses import normalise_address, search_tokens
from .geometry import area_shape, distance_m, metres_to_degrees
from .models import Building, District, Suburb

__all__ = [
    "Location",
    "locate",
    "district_for_point",
    "is_inside_city",
    "building_for_point",
    "nearest_building_id",
    "find_building",
    "search_buildings",
    "normalise_address",
    "contains",
    "buildings_within",
    "building_ids_within",
    "areas_geojson",
    "buildings_geojson",
    "area_feature",
    "building_feature",
    "districts_with_counts",
    "suburbs_with_counts",
    "district_buildings",
    "building_points",
    "get_district",
    "get_building",
    "MAX_GEOJSON_BUILDINGS",
]

MAX_GEOJSON_BUILDINGS = 5000
SEARCH_LIMIT_MAX = 50


@dataclass(frozen=True)
class Location:
    """Where a point is: its district and suburb (None outside the city or outside any
    suburb)."""

    district: District | None
    suburb: Suburb | None

    @property
    def inside_city(self) -> bool:
        return self.district is not None


#: Boundaries are large JSON documents; a building's district and suburb are read by name, so
#: their geometry is left in the database unless someone asks for it.
AREA_GEOMETRY_FIELDS = ("district__geometry", "suburb__geometry")


def _buildings():
    return Building.objects.select_related("district", "suburb").defer(*AREA_GEOMETRY_FIELDS)


def locate(lat: float, lon: float) -> Location:
    """The district and suburb containing (lat, lon); a point on a border counts as inside.

    No query after warm-up: see :mod:`cityhall.geo.area_index`."""
    district, suburb = area_index.current().find(float(lon), float(lat))
    return Location(district=district, suburb=suburb)


def district_for_point(lat: float, lon: float) -> District | None:
    return locate(lat, lon).district


def is_inside_city(lat: float, lon: float) -> bool:
    """Whether the point lies within one of the city's districts."""
    return area_index.current().covers(float(lon), float(lat))


def nearest_building_id(lat: float, lon: float, max_distance_m: float = 60) -> int | None:
    """The id of the building point nearest to (lat, lon) within ``max_distance_m`` metres in
    the in-process index (:mod:`cityhall.geo.building_index`), or None. No query."""
    dlat, dlon = metres_to_degrees(max_distance_m, lat)
    best_pk, best_distance = None, float(max_distance_m)
    for pk, b_lat, b_lon in building_index.current().within_box(lat, lon, dlat, dlon):
        distance = distance_m(lat, lon, b_lat, b_lon)
        if distance <= best_distance:
            best_pk, best_distance = pk, distance
    return best_pk


def building_for_point(lat: float, lon: float, max_distance_m: float = 60) -> Building | None:
    """The building nearest to (lat, lon) within ``max_distance_m`` metres, or None.

    A map click or a phone's location names a building only when one is really there. The
    candidates come from the in-process point index (:mod:`cityhall.geo.building_index`); the
    chosen building is read by primary key, and its district and suburb are taken from the
    boundary index, so a lookup costs one short query."""
    lat, lon = float(lat), float(lon)
    best_pk = nearest_building_id(lat, lon, max_distance_m)
    if best_pk is None:
        return None
    dlat, dlon = metres_to_degrees(max_distance_m, lat)
    building = _building_by_pk(best_pk)
    if building is None or distance_m(lat, lon, building.lat, building.lon) > max_distance_m:
        # Moved or deleted by another process since the index was read: ask the table.
        return _nearest_in_table(lat, lon, dlat, dlon, max_distance_m)
    if not _attach_areas(building):
        return _buildings().get(pk=building.pk)
    return building


def _building_by_pk(pk: int) -> Building | None:
    """One building row by id, as a prepared statement (the ORM's query building costs more
    than running it, and this runs on every report placed on the map)."""
    connection = connections[Building.objects.db]
    quote = connection.ops.quote_name
    sql = f"SELECT * FROM {quote(Building._meta.db_table)} WHERE {quote('id')} = %s"  # noqa: S608
    found = list(Building.objects.raw(sql, [pk]))
    return found[0] if found else None


def _nearest_in_table(
    lat: float, lon: float, dlat: float, dlon: float, max_distance_m: float
) -> Building | None:
    candidates = _buildings().filter(
        lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon
    )
    best, best_distance = None, float(max_distance_m)
    for building in candidates.order_by("pk"):
        distance = distance_m(lat, lon, building.lat, building.lon)
        if distance <= best_distance:
            best, best_distance = building, distance
    return best


def _attach_areas(building: Building) -> bool:
    """Fill the building's district and suburb from the boundary index (fresh copies); False
    when the index does not know one of them (then the caller reads them from the table)."""
    areas = _areas_by_pk()
    district = areas[0].get(building.district_id) if building.district_id else None
    suburb = areas[1].get(building.suburb_id) if building.suburb_id else None
    if (building.district_id and district is None) or (building.suburb_id and suburb is None):
        return False
    building.district = copy.copy(district) if district is not None else None
    building.suburb = copy.copy(suburb) if suburb is not None else None
    return True


_AREA_MAPS: dict[int, tuple[area_index.AreaIndex, dict, dict]] = {}


def _areas_by_pk() -> tuple[dict[int, District], dict[int, Suburb]]:
    index = area_index.current()
    known = _AREA_MAPS.get(0)
    if known is None or known[0] is not index:
        districts = {entry.area.pk: entry.area for entry in index.districts}
        suburbs = {
            entry.area.pk: entry.area
            for entries in index.suburbs_by_district.values()
            for entry in entries
        }
        known = _AREA_MAPS[0] = (index, districts, suburbs)
    return known[1], known[2]


def find_building(address: str) -> Building | None:
    """The building at exactly this address, however it is spelled ("ул. Баумана, д. 5" =
    "улица Баумана, дом 5" = "Баумана 5")."""
    key = normalise_address(address)
    if not key:
        return None
    return _buildings().filter(address_normalised=key).first()


def search_buildings(query: str, limit: int = 10) -> list[Building]:
    """Buildings for address autocomplete: every word of the query starts a word of the
    address ("баум 5" finds "ул. Баумана, д. 5" and "д. 57"); exact and prefix matches first."""
    tokens = search_tokens(query)
    if not tokens:
        return []
    limit = max(1, min(int(limit), SEARCH_LIMIT_MAX))
    key = " ".join(tokens)
    condition = Q()
    for token in tokens:
        condition &= Q(address_normalised__startswith=token) | Q(
            address_normalised__contains=" " + token
        )
    rank = Case(
        When(address_normalised=key, then=Value(0)),
        When(address_normalised__startswith=key, then=Value(1)),
        When(address_normalised__contains=key, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return list(
        _buildings()
        .filter(condition)
        .annotate(rank=rank)
        .order_by("rank", "street", "house_number", "house", "id")[:limit]
    )


@lru_cache(maxsize=256)
def _cached_shape(text: str) -> BaseGeometry:
    geom = area_shape(json.loads(text))
    shapely.prepare(geom)
    return geom


def _shape_of(geometry: dict) -> BaseGeometry:
    """The prepared shape of a GeoJSON polygon; parsed once per distinct geometry."""
    try:
        text = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return area_shape(None)  # raises InvalidInput
    return _cached_shape(text)


def contains(geometry: dict, lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon/MultiPolygon (a discussion's territory, say) contains the
    point, its boundary included. A malformed geometry raises InvalidInput on "geometry"."""
    return bool(shapely.intersects_xy(_shape_of(geometry), float(lon), float(lat)))


def _within(geometry: dict, queryset: QuerySet[Building] | None) -> Iterable[Building]:
    geom = _shape_of(geometry)
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    base = queryset if queryset is not None else Building.objects.all()
    candidates = list(
        base.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    )
    if not candidates:
        return []
    lons = [b.lon for b in candidates]
    lats = [b.lat for b in candidates]
    inside = shapely.intersects_xy(geom, lons, lats)
    return [b for b, ok in zip(candidates, inside, strict=True) if ok]


def buildings_within(
    geometry: dict, *, queryset: QuerySet[Building] | None = None
) -> list[Building]:
    """Buildings inside a GeoJSON Polygon/MultiPolygon (boundary included): a bounding-box
    query on the indexed lat/lon columns, then one vectorised exact test in shapely."""
    qs = queryset if queryset is not None else _buildings()
    return list(_within(geometry, qs))


def building_ids_within(geometry: dict) -> list[int]:
    """Just the ids, for ``filter(building_id__in=...)`` in other apps."""
    qs = Building.objects.only("id", "lat", "lon")
    return [b.pk for b in _within(geometry, qs)]


# --- GeoJSON -----------------------------------------------------------------------------------


def area_feature(area: District | Suburb, *, buildings: int | None = None) -> dict:
    properties: dict[str, Any] = {
        "code": area.code,
        "name": area.name,
        "name_tt": area.name_tt,
        "name_en": area.name_en,
    }
    if isinstance(area, Suburb):
        properties["district"] = area.district.code
    if buildings is not None:
        properties["buildings"] = buildings
    return {
        "type": "Feature",
        "id": area.code,
        "bbox": list(area.bbox),
        "geometry": area.geometry,
        "properties": properties,
    }


def building_feature(building: Building) -> dict:
    return {
        "type": "Feature",
        "id": building.pk,
        "geometry": {"type": "Point", "coordinates": [building.lon, building.lat]},
        "properties": {
            "street": building.street,
            "house": building.house,
            "address": building.address,
            "district": building.district.code if building.district_id else None,
            "suburb": building.suburb.code if building.suburb_id else None,
            "cadastral_number": building.cadastral_number,
            "floors": building.floors,
            "apartments": building.apartments,
            "year_built": building.year_built,
        },
    }


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def areas_geojson(kind: str) -> dict:
    """All districts (``kind="district"``) or suburbs (``"suburb"``) as a FeatureCollection,
    with the number of buildings in each."""
    if kind == "district":
        areas = districts_with_counts()
    elif kind == "suburb":
        areas = suburbs_with_counts()
    else:
        raise ValueError(f"unknown kind of area: {kind!r}")
    return _collection([area_feature(a, buildings=a.building_count) for a in areas])


def buildings_geojson(
    district: District | str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int | None = 1000,
) -> dict:
    """Buildings as Point features, optionally of one district (instance or code) and/or inside
    a (min_lon, min_lat, max_lon, max_lat) box; at most ``limit`` (≤ 5000), or all of them
    with ``limit=None`` (exports)."""
    qs = _buildings().order_by("street", "house_number", "house", "id")
    if isinstance(district, District):
        qs = qs.filter(district=district)
    elif district:
        qs = qs.filter(district__code=district)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lon__gte=min_lon, lon__lte=max_lon)
    if limit is not None:
        qs = qs[: max(1, min(int(limit), MAX_GEOJSON_BUILDINGS))]
    return _collection([building_feature(b) for b in qs.iterator(chunk_size=2000)])


# --- Pages ---------------------------------------------------------------------------------


def _count_of(model, field: str) -> Coalesce:
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def districts_with_counts() -> QuerySet[District]:
    """Districts with ``building_count`` and ``suburb_count``, in one query."""
    return District.objects.annotate(
        building_count=_count_of(Building, "district"),
        suburb_count=_count_of(Suburb, "district"),
    ).order_by("name")


def suburbs_with_counts(district: District | None = None) -> QuerySet[Suburb]:
    qs = Suburb.objects.select_related("district").annotate(
        building_count=_count_of(Building, "suburb")
    )
    if district is not None:
        qs = qs.filter(district=district)
    return qs.order_by("name")


def district_buildings(district: District, suburb: Suburb | None = None) -> QuerySet[Building]:
    qs = Building.objects.filter(district=district).select_related("suburb")
    if suburb is not None:
        qs = qs.filter(suburb=suburb)
    return qs.order_by("street", "house_number", "house", "id")


def building_points(district: District, limit: int = 3000) -> list[tuple[float, float]]:
    """(lat, lon) of a district's buildings, for dots on its map."""
    return list(
        Building.objects.filter(district=district).order_by("id").values_list("lat", "lon")[:limit]
    )


def get_district(code: str) -> District | None:
    return District.objects.filter(code=code).first()


def get_building(building_id: int) -> Building | None:
    return _buildings().filter(pk=building_id).first()
