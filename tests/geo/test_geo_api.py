"""The public geo API: GeoJSON out, address autocomplete, "where is this point"."""

from __future__ import annotations

import pytest

from cityhall.geo import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def buildings(city):
    return [
        services.create_building(
            actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05, floors=5
        ),
        services.create_building(actor=None, street="ул. Баумана", house="7", lat=55.77, lon=49.05),
        services.create_building(actor=None, street="ул. Ершова", house="1", lat=55.8, lon=49.15),
    ]


def test_districts_as_a_feature_collection(client, buildings):
    response = client.get("/api/v1/geo/districts")
    assert response.status_code == 200
    data = response.json()
    assert data["type"] == "FeatureCollection"
    by_code = {f["id"]: f for f in data["features"]}
    assert set(by_code) == {"west", "east"}
    west = by_code["west"]
    assert west["type"] == "Feature"
    assert west["geometry"]["type"] == "Polygon"
    assert west["bbox"] == [49.0, 55.75, 49.1, 55.85]
    assert west["properties"] == {
        "code": "west",
        "name": "Западный район",
        "name_tt": west["properties"]["name_tt"],
        "name_en": "West District",
        "buildings": 2,
    }


def test_suburbs_name_their_district(client, city):
    data = client.get("/api/v1/geo/suburbs").json()
    assert {(f["id"], f["properties"]["district"]) for f in data["features"]} == {
        ("west-north", "west"),
        ("west-south", "west"),
    }


def test_buildings_as_points_filtered_by_district_and_box(client, buildings):
    data = client.get("/api/v1/geo/buildings").json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 3
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [49.05, 55.82]}
    assert first["properties"]["address"] == "ул. Баумана, д. 5"
    assert first["properties"]["district"] == "west"
    assert first["properties"]["suburb"] == "west-north"
    assert first["properties"]["floors"] == 5

    east = client.get("/api/v1/geo/buildings", {"district": "east"}).json()
    assert [f["properties"]["address"] for f in east["features"]] == ["ул. Ершова, д. 1"]
    boxed = client.get("/api/v1/geo/buildings", {"bbox": "49.0,55.8,49.1,55.85"}).json()
    assert [f["id"] for f in boxed["features"]] == [buildings[0].pk]
    limited = client.get("/api/v1/geo/buildings", {"limit": 1}).json()
    assert len(limited["features"]) == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "49.1,55.8,49.0,55.9"}, "bbox"),  # min above max
        ({"limit": 0}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"district": "nowhere"}, "district"),
    ],
)
def test_bad_building_filters_are_422_with_the_field(client, city, params, field):
    response = client.get("/api/v1/geo/buildings", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_one_building_as_a_feature(client, buildings):
    response = client.get(f"/api/v1/geo/buildings/{buildings[2].pk}")
    assert response.status_code == 200
    assert response.json()["properties"]["district"] == "east"
    missing = client.get("/api/v1/geo/buildings/999999")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_address_autocomplete(client, buildings):
    response = client.get("/api/v1/geo/buildings/search", {"q": "баум"})
    assert response.status_code == 200
    results = response.json()
    assert [r["address"] for r in results] == ["ул. Баумана, д. 5", "ул. Баумана, д. 7"]
    assert results[0]["district"] == "west"
    assert results[0]["suburb_name"] == "Северный"  # names in the API are the official ones
    assert (
        client.get("/api/v1/geo/buildings/search", {"q": "баум", "limit": 1}).json()[0]["house"]
        == "5"
    )


def test_autocomplete_needs_a_query(client, city):
    response = client.get("/api/v1/geo/buildings/search")
    assert response.status_code == 422
    assert "q" in response.json()["fields"]


def test_locate_names_district_suburb_and_nearest_building(client, buildings):
    response = client.get("/api/v1/geo/locate", {"lat": 55.8201, "lon": 49.0501})
    assert response.status_code == 200
    data = response.json()
    assert data["district"]["code"] == "west"
    assert data["district"]["name_en"] == "West District"
    assert data["suburb"]["code"] == "west-north"
    assert data["building"]["address"] == "ул. Баумана, д. 5"
    assert 0 < data["building"]["distance_m"] < 20


def test_locate_without_a_building_nearby(client, city):
    data = client.get("/api/v1/geo/locate", {"lat": 55.8, "lon": 49.15}).json()
    assert (data["district"]["code"], data["suburb"], data["building"]) == ("east", None, None)


def test_locate_outside_the_city_is_404_outside_city(client, city):
    response = client.get("/api/v1/geo/locate", {"lat": 55.0, "lon": 49.0})
    assert response.status_code == 404
    assert response.json()["code"] == "outside_city"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"lat": 91, "lon": 49}, "lat"), ({"lat": 55.8}, "lon"), ({"lat": "x", "lon": 49}, "lat")],
)
def test_locate_with_bad_coordinates_is_422(client, city, params, field):
    response = client.get("/api/v1/geo/locate", params)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_the_geo_api_is_public_and_documented(client, city):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("districts", "suburbs", "buildings", "buildings/search", "locate"):
        operation = schema["paths"][f"/api/v1/geo/{path}"]["get"]
        assert not operation.get("security")
