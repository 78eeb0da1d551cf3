"""Finding a building by its address: exact lookup however spelled, and autocomplete."""

from __future__ import annotations

import pytest

from cityhall.geo import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(city):
    made = {}
    for house, lat in (("5", 55.82), ("5а", 55.821), ("57", 55.822), ("15", 55.823), ("7", 55.824)):
        made[house] = services.create_building(
            actor=None, street="ул. Баумана", house=house, lat=lat, lon=49.05
        )
    made["pushkina"] = services.create_building(
        actor=None, street="ул. Пушкина", house="5", lat=55.77, lon=49.05
    )
    made["pobedy"] = services.create_building(
        actor=None, street="пр-кт Победы", house="5", lat=55.8, lon=49.15
    )
    return made


@pytest.mark.parametrize(
    "typed",
    [
        "ул. Баумана, д. 5",
        "улица Баумана, дом 5",
        "баумана 5",
        "БАУМАНА, 5",
        "г. Казань, Баумана ул., д.5",
    ],
)
def test_an_address_is_found_however_it_is_typed(street, typed):
    found = selectors.find_building(typed)
    assert found == street["5"]
    assert found.district.code == "west"


def test_find_is_exact(street):
    assert selectors.find_building("Баумана 5а") == street["5а"]
    assert selectors.find_building("Баумана 6") is None
    assert selectors.find_building("Победы 5") is None  # an avenue, not a street
    assert selectors.find_building("проспект Победы 5") == street["pobedy"]
    assert selectors.find_building("") is None


def test_search_completes_words_from_their_start(street):
    found = selectors.search_buildings("баум 5")
    assert [b.address for b in found] == [
        "ул. Баумана, д. 5",
        "ул. Баумана, д. 5а",
        "ул. Баумана, д. 57",
    ]


def test_search_puts_the_exact_address_first(street):
    found = selectors.search_buildings("Пушкина 5")
    assert found[0] == street["pushkina"]
    assert selectors.search_buildings("ул. Баумана, д. 15")[0] == street["15"]


def test_search_matches_words_in_any_position(street):
    assert [b.pk for b in selectors.search_buildings("победы")] == [street["pobedy"].pk]
    assert selectors.search_buildings("пр. Победы") == [street["pobedy"]]
    assert selectors.search_buildings("ауман") == []  # words are matched from their start


def test_search_limit_and_empty_query(street):
    assert len(selectors.search_buildings("баумана", limit=2)) == 2
    assert len(selectors.search_buildings("баумана", limit=1000)) == 5
    assert selectors.search_buildings("  ") == []
    assert selectors.search_buildings("ул.") == []
