"""The one SVG map renderer (geo.maps): areas and named places carry their own titles, the
places are listed as text under the map, the same picture is served as a standalone file, and
coordinates stay machine-readable in every language."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from cityhall.geo.maps import MapPlace, draw_map, render_svg
from cityhall.geo.models import District

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def _districts() -> list[District]:
    return list(District.objects.order_by("code"))


def test_areas_and_places_have_titles_and_the_places_are_listed_as_text(city):
    svg_map = draw_map(
        areas=_districts(),
        titles=["East: 3 open requests", "West: 1 open request"],
        places=[MapPlace(55.80, 49.05, "RS-1: Shop <Corner>")],
    )
    html = render_to_string(
        "geo/includes/map.html",
        {"map": svg_map, "map_id": "m", "map_title": "Requests", "map_desc": "By district"},
    )
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'aria-labelledby="m-title m-desc"' in svg and 'role="img"' in svg
    assert "<title>East: 3 open requests</title>" in svg
    assert "<title>West: 1 open request</title>" in svg
    assert "<title>RS-1: Shop &lt;Corner&gt;</title>" in svg  # escaped, never markup
    text_list = html[html.index("</svg>") :]
    assert "<li>RS-1: Shop &lt;Corner&gt;</li>" in text_list
    assert "1 place marked on the map" in text_list


def test_coordinates_keep_a_decimal_point_in_russian(city):
    svg_map = draw_map(
        areas=_districts(), points=[(55.8012, 49.0513)], places=[MapPlace(55.7713, 49.1517, "A")]
    )
    with translation.override("ru"):
        html = render_to_string(
            "geo/includes/map.html",
            {"map": svg_map, "map_id": "m", "map_title": "Карта", "map_desc": "Районы"},
        )
    assert re.findall(r' (?:cx|cy|x|y)="[^"]*,', html) == []  # "12,5" would be two glyph xs
    assert re.search(r' cx="\d+\.\d"', html)


def test_the_standalone_file_is_an_svg_document_framing_every_place(city):
    outside = MapPlace(55.90, 49.25, "Beyond the districts")  # north-east of both boxes
    document = render_svg(
        draw_map(areas=_districts(), places=[outside, MapPlace(55.8, 49.1, "Inside")]),
        title="Registry records",
        desc="2 records",
    )
    root = ET.fromstring(document.encode())
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Registry records"
    assert root.find(f"{SVG}desc").text == "2 records"
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    circles = root.findall(f".//{SVG}g[@class='geo-places']/{SVG}circle")
    assert [c.find(f"{SVG}title").text for c in circles] == ["Beyond the districts", "Inside"]
    for circle in circles:
        assert 0 <= float(circle.get("cx")) <= width and 0 <= float(circle.get("cy")) <= height
    empty = ET.fromstring(render_svg(None, title="Nothing", desc="").encode())
    assert empty.find(f"{SVG}title").text == "Nothing" and not empty.findall(f".//{SVG}circle")
