"""Issue 14: the registry page shows its records (permits, leases) as pins on the city's map,
and the same records are served as GeoJSON points; the holder is never on the map."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from cityhall.municipal_services.models import RegistryRecord


@pytest.fixture
def records(db):
    common = {"holder": "Иванов Иван Иванович", "issued_on": dt.date(2026, 3, 2)}
    permit = RegistryRecord.objects.create(
        registry="building-permits",
        number="16-RU-0007",
        title="Разрешение на строительство",
        address="г. Казань, ул. Баумана, 5",
        lat=55.78,
        lon=49.05,
        **common,
    )
    lease = RegistryRecord.objects.create(
        registry="land-leases", number="L-12", title="Аренда участка", lat=55.8, lon=49.1, **common
    )
    RegistryRecord.objects.create(  # no place: in the table, not on the map
        registry="land-leases", number="L-13", title="Аренда без места", **common
    )
    return permit, lease


def _map_config(html: str) -> dict:
    start = html.index('id="registry-map-config"')
    body = html[html.index(">", start) + 1 : html.index("</script>", start)]
    return json.loads(body)


def test_the_registry_page_pins_the_records_found(client, records):
    html = client.get("/services/registry/").content.decode()
    pins = _map_config(html)["pins"]
    by_title = {p["title"]: p for p in pins}
    assert set(by_title) == {"16-RU-0007: Разрешение на строительство", "L-12: Аренда участка"}
    permit = by_title["16-RU-0007: Разрешение на строительство"]
    assert permit["lat"] == 55.78 and "г. Казань, ул. Баумана, 5" in permit["lines"]
    assert "Иванов" not in json.dumps(pins, ensure_ascii=False)  # the holder stays off the map
    assert "<noscript><img" in html  # the drawn map for readers without JavaScript
    # each register has its own look, named in the legend
    assert permit["kind"] != by_title["L-12: Аренда участка"]["kind"]
    legend = html.split('id="registry-map-legend"', 1)[1].split("</div>", 1)[0]
    assert "building-permits" in legend and "land-leases" in legend

    filtered = client.get("/services/registry/", {"registry": "land-leases"}).content.decode()
    assert [p["title"] for p in _map_config(filtered)["pins"]] == ["L-12: Аренда участка"]


def test_the_records_are_served_as_geojson_points(client, records):
    data = client.get("/services/registry/records.geojson", {"q": "баумана"}).json()
    (feature,) = data["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [49.05, 55.78]}
    assert feature["properties"]["number"] == "16-RU-0007"
    assert feature["properties"]["issued_on"] == "2026-03-02"
    assert "holder" not in feature["properties"]


def test_a_search_without_places_says_so(client, records):
    html = client.get("/services/registry/", {"q": "без места"}).content.decode()
    assert "None of the records found has a place on the map." in html
    assert 'id="registry-map"' not in html
