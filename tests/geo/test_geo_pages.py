"""The public map pages: districts with an SVG map, one district, one building, address search.
They are server-rendered (no JavaScript needed) and make a fixed number of queries."""

from __future__ import annotations

import re

import pytest

from cityhall.geo import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def buildings(city):
    made = [
        services.create_building(
            actor=None,
            street="ул. Баумана",
            house=str(n),
            lat=55.76 + n * 0.001,  # 1–39 in the south, 41–60 in the north
            lon=49.05,
            floors=5,
            cadastral_number=f"16:50:011105:{n}",
        )
        for n in range(1, 61)
    ]
    made.append(
        services.create_building(actor=None, street="ул. Ершова", house="1", lat=55.8, lon=49.15)
    )
    return made


def test_the_districts_page_has_an_accessible_map_and_a_table(client, buildings):
    response = client.get("/geo/")
    assert response.status_code == 200
    html = response.content.decode()
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="city-map-title">' in svg
    assert 'aria-labelledby="city-map-title city-map-desc"' in svg
    assert svg.count('data-code="west"') == 1 and svg.count('data-code="east"') == 1
    assert svg.count('data-code="west-north"') == 1  # suburbs drawn as outlines
    assert "<a " not in svg  # the links are in the table, reachable by keyboard
    assert '<a href="/geo/districts/west/">West District</a>' in html
    row = re.search(r"West District</a></th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>", html)
    assert row.groups() == ("2", "60")
    assert 'action="/geo/search/"' in html


def test_the_districts_page_speaks_the_readers_language(client, city):
    html = client.get("/geo/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Западный район" in html
    assert "West District" not in html


def test_the_districts_page_before_any_data(client, db):
    response = client.get("/geo/")
    assert response.status_code == 200
    assert "No districts have been loaded yet." in response.content.decode()


def test_the_districts_page_makes_few_queries(client, buildings, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get("/geo/").status_code == 200


def test_a_district_page_lists_suburbs_and_pages_through_buildings(client, buildings):
    response = client.get("/geo/districts/west/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>West District</h1>" in html
    assert 'href="?suburb=west-north"' in html
    assert html.count('href="/geo/buildings/') == 50
    assert "Page 1 of 2" in html
    assert 'rel="next"' in html
    assert html.count("<circle") == 60  # every building is a dot on the map
    second = client.get("/geo/districts/west/", {"page": 2}).content.decode()
    assert second.count('href="/geo/buildings/') == 10
    assert "ул. Баумана, д. 60" in second  # sorted by number: 1, 2, … 60


def test_a_district_page_filtered_to_one_suburb(client, buildings):
    html = client.get("/geo/districts/west/", {"suburb": "west-south"}).content.decode()
    assert "Buildings in South" in html
    assert "ул. Баумана, д. 1<" in html
    assert "ул. Баумана, д. 60" not in html  # that one is in the north


def test_a_district_page_makes_few_queries(client, buildings, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        assert client.get("/geo/districts/west/").status_code == 200


def test_an_unknown_district_is_404(client, city):
    assert client.get("/geo/districts/nowhere/").status_code == 404


def test_a_building_page(client, buildings):
    building = buildings[0]
    response = client.get(f"/geo/buildings/{building.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>ул. Баумана, д. 1</h1>" in html
    assert "16:50:011105:1" in html
    assert 'href="/geo/districts/west/"' in html
    assert 'class="geo-marker"' in html
    assert client.get("/geo/buildings/999999/").status_code == 404


def test_address_search_without_javascript(client, buildings):
    response = client.get("/geo/search/", {"q": "улица Баумана, дом 5"})
    assert response.status_code == 200
    html = response.content.decode()
    exact = re.search(r'class="card exact-match">(.*?)</div>', html, re.S).group(1)
    assert "ул. Баумана, д. 5<" in exact
    assert "West District" in exact
    assert "ул. Баумана, д. 50" in html  # similar addresses follow


def test_address_search_with_no_match_says_so(client, buildings):
    html = client.get("/geo/search/", {"q": "Несуществующая 1"}).content.decode()
    assert "No building matches" in html


def test_address_search_form_alone_and_with_an_empty_query(client, city):
    assert client.get("/geo/search/").status_code == 200
    html = client.get("/geo/search/", {"q": ""}).content.decode()
    assert "This field is required." in html
    assert "No building matches" not in html
