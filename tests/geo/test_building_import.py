"""Importing buildings (GeoJSON points with street and house): all or nothing, idempotent."""

from __future__ import annotations

import copy

import pytest

from cityhall.core.models import AuditRecord
from cityhall.geo import services
from cityhall.geo.models import Building
from cityhall.geo.services import ImportFailed

pytestmark = pytest.mark.django_db


def _building(lon, lat, street, house, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"street": street, "house": house, **properties},
    }


BUILDINGS = {
    "type": "FeatureCollection",
    "features": [
        _building(49.05, 55.82, "ул. Баумана", "5", floors=5, cadastral_number="16:50:011105:1"),
        _building(49.05, 55.77, "ул. Баумана", "7", floors=9, year_built=1975),
        _building(49.15, 55.8, "ул. Ершова", "1к2", apartments=120),
    ],
}


def test_buildings_are_imported_into_their_districts(city):
    result = services.import_geojson(actor=None, data=BUILDINGS, kind="building")
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    baumana5 = Building.objects.get(address="ул. Баумана, д. 5")
    assert (baumana5.district, baumana5.suburb) == (city.west, city.west_north)
    assert baumana5.cadastral_number == "16:50:011105:1"
    baumana7 = Building.objects.get(address="ул. Баумана, д. 7")
    assert (baumana7.suburb, baumana7.year_built) == (city.west_south, 1975)
    assert Building.objects.get(house="1к2").district == city.east


def test_importing_again_changes_nothing_and_changes_are_updates(city):
    services.import_geojson(actor=None, data=BUILDINGS, kind="building")
    records = AuditRecord.objects.count()
    again = services.import_geojson(actor=None, data=BUILDINGS, kind="building")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert AuditRecord.objects.count() == records

    changed = copy.deepcopy(BUILDINGS)
    changed["features"][0]["properties"]["floors"] = 6
    changed["features"][1]["properties"]["street"] = "улица Баумана"  # same address, respelled
    result = services.import_geojson(actor=None, data=changed, kind="building")
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    assert Building.objects.get(house="5").floors == 6
    assert Building.objects.count() == 3


def test_a_point_outside_the_city_fails_the_file_with_its_index(city):
    data = copy.deepcopy(BUILDINGS)
    data["features"].insert(1, _building(50.5, 56.5, "ул. Дальняя", "1"))
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="building")
    assert [(e.index, e.field) for e in caught.value.errors] == [(1, "location")]
    assert not Building.objects.exists()


def test_the_same_address_twice_in_one_file_is_an_error(city):
    data = copy.deepcopy(BUILDINGS)
    data["features"].append(_building(49.06, 55.82, "Баумана", "д. 5"))
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="building")
    [error] = caught.value.errors
    assert (error.index, error.field) == (3, "house")
    assert "Feature 0" in error.message
    assert not Building.objects.exists()


def test_features_without_a_point_or_an_address_are_reported(city):
    data = {
        "type": "FeatureCollection",
        "features": [
            _building(49.05, 55.82, "ул. Баумана", "5"),
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"street": "ул. Пушкина", "house": "1"},
            },
            _building(49.05, 55.82, "", "3"),
            _building(49.05, 55.83, "ул. Пушкина", "3", floors="ten"),
        ],
    }
    with pytest.raises(ImportFailed) as caught:
        services.import_geojson(actor=None, data=data, kind="building")
    assert [(e.index, e.field) for e in caught.value.errors] == [
        (1, "geometry"),
        (2, "street"),
        (3, "floors"),
    ]
    assert not Building.objects.exists()
