"""Geo API: districts, suburbs and buildings as GeoJSON; address autocomplete; "where is this
point". Everything here is public (no sign-in): it is the city's open map."""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from cityhall.core.errors import InvalidInput, NotFound

from . import selectors
from .geometry import distance_m

router = Router(tags=["geo"])


class FeatureCollectionOut(Schema):
    type: str
    features: list[dict[str, Any]]


class AreaRef(Schema):
    code: str
    name: str
    name_tt: str
    name_en: str


class BuildingOut(Schema):
    id: int
    address: str
    street: str
    house: str
    lat: float
    lon: float
    district: str | None
    district_name: str | None
    suburb: str | None
    suburb_name: str | None


class NearbyBuildingOut(BuildingOut):
    distance_m: float


class LocationOut(Schema):
    lat: float
    lon: float
    district: AreaRef
    suburb: AreaRef | None
    building: NearbyBuildingOut | None


def _area_ref(area) -> dict | None:
    if area is None:
        return None
    return {"code": area.code, "name": area.name, "name_tt": area.name_tt, "name_en": area.name_en}


def _building_out(building) -> dict:
    return {
        "id": building.pk,
        "address": building.address,
        "street": building.street,
        "house": building.house,
        "lat": building.lat,
        "lon": building.lon,
        "district": building.district.code if building.district_id else None,
        "district_name": building.district.name if building.district_id else None,
        "suburb": building.suburb.code if building.suburb_id else None,
        "suburb_name": building.suburb.name if building.suburb_id else None,
    }


def _parse_bbox(text: str) -> tuple[float, float, float, float]:
    message = _("bbox is min_lon,min_lat,max_lon,max_lat in degrees, e.g. 49.0,55.7,49.2,55.9.")
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise InvalidInput(fields={"bbox": [message]}) from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidInput(fields={"bbox": [message]})
    min_lon, min_lat, max_lon, max_lat = values
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput(fields={"bbox": [message]})
    return min_lon, min_lat, max_lon, max_lat


@router.get(
    "/districts",
    auth=None,
    url_name="geo_districts",
    response=FeatureCollectionOut,
    summary="The city's districts as a GeoJSON FeatureCollection",
)
def districts(request):
    return selectors.areas_geojson("district")


@router.get(
    "/suburbs",
    auth=None,
    url_name="geo_suburbs",
    response=FeatureCollectionOut,
    summary="Suburbs (neighbourhoods) as a GeoJSON FeatureCollection",
)
def suburbs(request):
    return selectors.areas_geojson("suburb")


@router.get(
    "/buildings",
    auth=None,
    url_name="geo_buildings",
    response=FeatureCollectionOut,
    summary="Buildings as GeoJSON points, by district code and/or bounding box",
)
def buildings(
    request,
    district: str | None = Query(None, max_length=50, description="district code"),
    bbox: str | None = Query(None, description="min_lon,min_lat,max_lon,max_lat"),
    limit: int = Query(1000, ge=1, le=selectors.MAX_GEOJSON_BUILDINGS),
):
    box = _parse_bbox(bbox) if bbox else None
    if district and selectors.get_district(district) is None:
        raise InvalidInput(
            fields={
                "district": [
                    _("There is no district with the code “%(code)s”.") % {"code": district}
                ]
            }
        )
    return selectors.buildings_geojson(district=district or None, bbox=box, limit=limit)


@router.get(
    "/buildings/search",
    auth=None,
    url_name="geo_search",
    response=list[BuildingOut],
    summary="Address autocomplete: buildings whose address starts with the words typed",
)
def search(
    request,
    q: str = Query(..., min_length=1, max_length=200, description="part of an address"),
    limit: int = Query(10, ge=1, le=50),
):
    return [_building_out(b) for b in selectors.search_buildings(q, limit=limit)]


@router.get(
    "/buildings/{building_id}",
    auth=None,
    url_name="geo_building",
    response=dict[str, Any],
    summary="One building as a GeoJSON Feature",
)
def building(request, building_id: int):
    found = selectors.get_building(building_id)
    if found is None:
        raise NotFound(_("There is no such building."))
    return selectors.building_feature(found)


@router.get(
    "/locate",
    auth=None,
    url_name="geo_locate",
    response=LocationOut,
    summary="The district, suburb and nearest building (within 60 m) of a point",
)
def locate(
    request,
    lat: float = Query(..., ge=-90, le=90, description="latitude, degrees"),
    lon: float = Query(..., ge=-180, le=180, description="longitude, degrees"),
):
    where = selectors.locate(lat, lon)
    if where.district is None:
        raise NotFound(_("This point is outside the city."), code="outside_city")
    nearest = selectors.building_for_point(lat, lon)
    building_data = None
    if nearest is not None:
        building_data = {
            **_building_out(nearest),
            "distance_m": round(distance_m(lat, lon, nearest.lat, nearest.lon), 1),
        }
    return {
        "lat": lat,
        "lon": lon,
        "district": _area_ref(where.district),
        "suburb": _area_ref(where.suburb),
        "building": building_data,
    }
