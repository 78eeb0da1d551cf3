"""The interactive map component (geo.web_map, geo/map.js): pages carry its settings as JSON
(no inline code), Leaflet is served by the platform, and the city's own vector layers are the
base when no tile source is configured."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse

from cityhall.geo import services
from cityhall.geo.web_map import Pin, web_map

pytestmark = pytest.mark.django_db


def _config(response, map_id: str) -> dict:
    html = response.content.decode()
    match = re.search(
        rf'<script id="{map_id}-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, f"no settings for {map_id}"
    return json.loads(match.group(1))


def test_leaflet_and_leaflet_draw_are_served_by_the_platform():
    for name in ("leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/draw/leaflet.draw.js"):
        assert finders.find(name), name
    assert finders.find("geo/map.js") and finders.find("geo/map.css")


def test_a_drawing_map_loads_the_shared_drawing_module_after_the_map_and_a_plain_one_does_not():
    """Every form that draws (territory, proposal place, a service's area field) configures
    geo/map-drawing.js; it must come after geo/map.js and before the page's own script."""
    scripts = Template("{% load geo_maps %}{% web_map_scripts the_map %}")
    drawing = scripts.render(Context({"the_map": web_map(map_id="d", label="d", draw=True)}))
    plain = scripts.render(Context({"the_map": web_map(map_id="p", label="p")}))
    assert finders.find("geo/map-drawing.js")
    assert drawing.index("/static/geo/map.js") < drawing.index("/static/geo/map-drawing.js")
    assert "leaflet/draw/leaflet.draw.js" in drawing
    assert "map-drawing.js" not in plain and "leaflet.draw" not in plain


def test_a_building_page_has_an_interactive_map_with_its_pin(client, city):
    building = services.create_building(
        actor=None, street="ул. Баумана", house="7", lat=55.77, lon=49.05
    )
    response = client.get(reverse("geo:building", args=[building.pk]))
    html = response.content.decode()
    assert f'role="region" aria-label="Where {building.address} is"' in html
    config = _config(response, "building-map")
    assert config["pins"] == [
        {
            "lat": 55.77,
            "lon": 49.05,
            "title": building.address,
            "url": "",
            "lines": [],
            "kind": "building",
        }
    ]
    assert config["tiles"] is None
    assert config["baseUrl"] == reverse("geo:map_base")
    assert "/static/leaflet/leaflet.js" in html and "/static/geo/map.js" in html
    assert "<noscript>" in html  # the drawing stays for readers without JavaScript


def test_a_district_page_shows_its_map_with_suburbs_shaded(client, city):
    config = _config(client.get(reverse("geo:district", args=["west"])), "district-map")
    titles = [shape["properties"]["title"] for shape in config["shapes"]]
    assert titles == ["North", "South", "West District"]
    fills = [shape["properties"]["fill"] for shape in config["shapes"]]
    assert fills[0] != fills[1] and fills[2] == ""  # the district itself is an outline
    assert config["bounds"] == [49.0, 55.75, 49.1, 55.85]


@override_settings(MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png", MAP_ATTRIBUTION="© T")
def test_a_configured_tile_source_is_the_base_layer(client, city):
    config = _config(client.get(reverse("geo:district", args=["west"])), "district-map")
    assert config["tiles"] == {
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© T",
        "maxZoom": 19,
    }
    # The notice the script shows when those tiles cannot be loaded comes translated.
    assert "could not be loaded" in config["strings"]["tilesFailed"]


def test_the_base_layer_has_districts_then_suburbs_then_buildings_as_one_zooms_in(client, city):
    services.create_building(actor=None, street="ул. Баумана", house="7", lat=55.77, lon=49.05)
    services.create_building(actor=None, street="ул. Ершова", house="1", lat=55.8, lon=49.15)
    url = reverse("geo:map_base")

    def kinds(query: str) -> list[str]:
        data = client.get(url + query).json()
        return sorted(f["properties"]["kind"] for f in data["features"])

    assert kinds("?bbox=48.9,55.7,49.3,55.9&zoom=10") == ["district", "district"]
    assert kinds("?bbox=48.9,55.7,49.3,55.9&zoom=13") == ["district"] * 2 + ["suburb"] * 2
    # Buildings from zoom 15, only those inside the view.
    assert kinds("?bbox=49.0,55.76,49.1,55.78&zoom=16").count("building") == 1
    assert kinds("?bbox=not,a,box&zoom=x").count("district") == 2


def test_the_base_layer_names_areas_in_the_readers_language(client, city):
    url = reverse("geo:map_base") + "?zoom=10"
    names = {
        f["properties"]["name"]
        for f in client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["features"]
    }
    assert names == {"West District", "East District"}
    names = {
        f["properties"]["name"]
        for f in client.get(url, HTTP_ACCEPT_LANGUAGE="ru").json()["features"]
    }
    assert names == {"Западный район", "Восточный район"}


def test_a_map_lists_its_pins_as_text_beside_it(rf, city):
    from django.template import Context, Template

    the_map = web_map(
        map_id="m",
        label="Test map",
        pins=[Pin(lat=55.77, lon=49.05, title="Pin <one>", url="/x/", lines=("Line",))],
        list_title="Listed",
    )
    html = Template("{% load geo_maps %}{% web_map m %}").render(Context({"m": the_map}))
    assert 'aria-label="Test map"' in html and 'aria-describedby="m-list"' in html
    assert '<a href="/x/">Pin &lt;one&gt;</a>' in html and "Listed" in html
    assert "<script>" not in html  # settings only as a JSON data element
    config = json.loads(re.search(r'type="application/json">(.*?)</script>', html, re.S).group(1))
    assert config["pins"][0]["title"] == "Pin <one>"
