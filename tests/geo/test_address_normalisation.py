"""One address, many spellings: the comparison key behind lookup and duplicate refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhall.geo.addresses import (
    ParsedAddress,
    clean_house,
    compose_address,
    house_number,
    normalise_address,
    parse_address,
)


@pytest.mark.parametrize(
    "spelling",
    [
        "ул. Баумана, д. 5",
        "улица Баумана, дом 5",
        "Баумана 5",
        "БАУМАНА,5",
        "ул.Баумана,д.5",
        "Баумана ул., 5",
        "г. Казань, ул. Баумана, д. 5",
        "420111, Россия, Республика Татарстан, г. Казань, ул. Баумана, д. 5",
        "  ул   Баумана  д 5 ",
        "ул. Баумана, № 5",
    ],
)
def test_spellings_of_one_address_share_a_key(spelling):
    assert normalise_address(spelling) == "баумана 5"


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("пр-т Победы, д. 100", "проспект Победы 100"),
        ("просп. Победы, 100", "Победы пр-кт, 100"),
        ("Сибирский тракт, д. 34", "тракт Сибирский 34"),
        ("ул. Ёлочная, д. 3", "ул. Елочная, д. 3"),
        ("ул. Баумана, д. 5 а", "ул. Баумана, д. 5А"),
        ("ул. Баумана, д. 5a", "ул. Баумана, д. 5а"),  # Latin a typed for Cyrillic а
        ("ул. Ямашева, д. 10 корп. 2", "Ямашева 10к2"),
        ("ул. Ямашева, д. 10, корпус 2", "ул. Ямашева, 10 к 2"),
        ("ул. Гвардейская, д. 12 стр. 1", "Гвардейская 12с1"),
        ("пер. Дальний, 4", "переулок Дальний, 4"),
    ],
)
def test_variants_are_equal(one, other):
    assert normalise_address(one) == normalise_address(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ул. Победы, 5", "пр-кт Победы, 5"),  # a street and an avenue are different places
        ("ул. Баумана, 5", "ул. Баумана, 5а"),
        ("ул. Ямашева, 10к1", "ул. Ямашева, 10к2"),
        ("ул. 8 Марта, 5", "ул. 8 Марта, 6"),
        ("ул. Баумана, 5", "ул. Пушкина, 5"),
    ],
)
def test_different_addresses_stay_different(one, other):
    assert normalise_address(one) != normalise_address(other)


@pytest.mark.parametrize(
    "spelling",
    [
        "ул. Татарстан, д. 5",
        "улица Татарстан, 5",
        "Татарстан ул, 5",
        "Республика Татарстан, г. Казань, ул. Татарстан, д. 5",
        "РТ, Казань г., ул. Татарстан 5",
    ],
)
def test_a_street_named_like_the_region_keeps_its_name(spelling):
    assert normalise_address(spelling) == "татарстан 5"


def test_numbers_in_a_street_name_are_kept():
    assert normalise_address("ул. 8 Марта, д. 5") == "8 марта 5"
    assert normalise_address("ул. 2-я Азинская, д. 7") == "2-я азинская 7"


def test_empty_and_junk_give_an_empty_key():
    assert normalise_address("") == ""
    assert normalise_address(" ,.;- ") == ""


def test_house_cleaning_and_display_form():
    assert clean_house("д. 5А") == "5А"
    assert clean_house("дом 12 к1") == "12 к1"
    assert compose_address("ул.  Баумана ", "д. 5") == "ул. Баумана, д. 5"
    assert house_number("12к1") == 12
    assert house_number("5А") == 5
    assert house_number("б/н") == 0


@given(st.text(max_size=80))
def test_normalising_twice_changes_nothing(text):
    key = normalise_address(text)
    assert normalise_address(key) == key


ADDRESS_ALPHABET = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ0123456789 .,-/№"


@given(st.text(alphabet=ADDRESS_ALPHABET, max_size=60))
def test_normalising_russian_like_text_twice_changes_nothing(text):
    key = normalise_address(text)
    assert normalise_address(key) == key
    assert key == key.strip() and "  " not in key and key == key.lower() and "ё" not in key


street_names = st.sampled_from(
    ["Баумана", "Пушкина", "Карла Маркса", "Ершова", "Фатыха Амирхана", "Ёлочная"]
)
street_words = st.sampled_from(["ул.", "ул", "улица", "Ул.", "УЛИЦА", ""])
house_words = st.sampled_from(["д.", "д", "дом", "Д.", ""])
separators = st.sampled_from([", ", " ", ",", " , ", ",  "])


@given(
    name=street_names,
    number=st.integers(min_value=1, max_value=300),
    letter=st.sampled_from(["", "а", "б", "А"]),
    street_word=street_words,
    house_word=house_words,
    sep=separators,
    type_after=st.booleans(),
    upper=st.booleans(),
)
def test_every_spelling_of_a_street_address_has_the_canonical_key(
    name, number, letter, street_word, house_word, sep, type_after, upper
):
    street = f"{name} {street_word}" if type_after else f"{street_word} {name}"
    text = f"{street}{sep}{house_word} {number}{letter}"
    if upper:
        text = text.upper()
    canonical = normalise_address(compose_address(f"ул. {name}", f"{number}{letter}"))
    assert normalise_address(text) == canonical


address_words = st.sampled_from(
    [
        "ул.",
        "улица",
        "г.",
        "город",
        "Казань",
        "РТ",
        "Республика",
        "Татарстан",
        "Россия",
        "д.",
        "дом",
        "к",
        "корп.",
        "стр.",
        "пр-т",
        "тракт",
        "5",
        "12",
        "а",
        "б",
        "420111",
        "-",
        "/",
        ",",
    ]
)


@given(st.lists(address_words, max_size=10).map(" ".join))
def test_normalising_address_words_in_any_order_twice_changes_nothing(text):
    key = normalise_address(text)
    assert normalise_address(key) == key


def test_many_house_words_before_a_postcode_normalise_to_a_fixed_point():
    """Found by the property above: each pass dropped one "д." and five passes were not enough."""
    key = normalise_address("д. д. д. д. д. д. 420111")
    assert normalise_address(key) == key


@pytest.mark.parametrize(
    "spelling",
    [
        "ул. Короленко, д. 32, кв. 126",
        "г. Казань, ул. Короленко, д. 32, квартира 126",
        "Короленко 32 кв126",
        "ул. Короленко, д. 32, оф. 5",
        "ул. Короленко, 32, пом. 1Н",
        "ул. Короленко, д. 32, комн. 4",
    ],
)
def test_a_flat_is_not_part_of_the_building(spelling):
    """Issue 20.7: a resident of flat 126 lives in the building "Короленко 32"."""
    assert normalise_address(spelling) == "короленко 32"


def test_an_address_is_parsed_into_street_house_and_flat():
    parsed = parse_address("Республика Татарстан, г. Казань, пр-т Победы, д. 100 корп. 2, кв. 15")
    assert parsed == ParsedAddress(street="пр-кт победы", house="100к2", flat="15")
    assert parsed.building_key == normalise_address("проспект Победы 100к2")
    assert parse_address("ул. 8 Марта, д. 5") == ParsedAddress("8 марта", "5", "")


def test_a_quarter_is_not_mistaken_for_a_flat():
    assert normalise_address("кв-л Южный, 4") == "кв-л южный 4"
