"""Postal addresses: how one address is written for people and compared by the machine.

Residents type the same address many ways ("ул. Баумана, д. 5", "Баумана 5", "улица Баумана,
дом 5", "г. Казань, Баумана ул, 5"). :func:`normalise_address` turns every spelling into one key,
so that a lookup is an exact match on an indexed column and a duplicate is refused by a unique
constraint. The key is for comparison only; people always see :func:`compose_address`.

Rules (the key is lower case, words separated by one space):

- ``ё`` is ``е``; punctuation is a separator; ``№`` is ignored;
- "улица"/"ул." is the default street type and is dropped, "дом"/"д." before a number too;
- other street types get one short form (FIAS abbreviations: "проспект" → "пр-кт", "переулок"
  → "пер", "бульвар" → "б-р", …) and move to the front, so that "Сибирский тракт" and
  "тракт Сибирский" are the same street;
- a house letter, block and building are glued to the number: "5 а" → "5а", "5 корп. 2" → "5к2",
  "5 стр. 1" → "5с1"; a Latin letter that looks Cyrillic is read as Cyrillic ("5a" → "5а");
- a leading postcode, country, region ("Республика Татарстан", not a lone "Татарстан": that
  is also a street) and "г. <city>" are dropped;
- a flat, office, room or premises ("кв. 126", "квартира 5", "оф. 3", "пом. 1Н", "комн. 2")
  is not part of the building: the key names the building, so "ул. Короленко, д. 32, кв. 126"
  and "ул. Короленко, д. 32" are one key. :func:`parse_address` keeps the flat apart.

Normalising a key again gives the same key (tested with hypothesis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ParsedAddress",
    "normalise_address",
    "parse_address",
    "compose_address",
    "clean_house",
    "house_number",
    "search_tokens",
]

# Every spelling of a street type → its one short form. "ул" is dropped afterwards.
STREET_TYPES: dict[str, str] = {
    "улица": "ул",
    "ул": "ул",
    "проспект": "пр-кт",
    "просп": "пр-кт",
    "пр-т": "пр-кт",
    "пр-кт": "пр-кт",
    "пр": "пр-кт",
    "переулок": "пер",
    "пер": "пер",
    "бульвар": "б-р",
    "бул": "б-р",
    "б-р": "б-р",
    "площадь": "пл",
    "пл": "пл",
    "шоссе": "ш",
    "ш": "ш",
    "набережная": "наб",
    "наб": "наб",
    "проезд": "пр-д",
    "пр-д": "пр-д",
    "тракт": "тракт",
    "тупик": "туп",
    "туп": "туп",
    "аллея": "аллея",
    "ал": "аллея",
    "микрорайон": "мкр",
    "мкр": "мкр",
    "мкрн": "мкр",
    "квартал": "кв-л",
    "кв-л": "кв-л",
    "слобода": "сл",
    "сл": "сл",
    "дамба": "дамба",
}
MOVED_TYPES = frozenset(v for v in STREET_TYPES.values() if v != "ул")

# Parts of a house number: "корпус 2" → "к2", "строение 1" → "с1".
HOUSE_PARTS: dict[str, str] = {
    "корпус": "к",
    "корп": "к",
    "к": "к",
    "строение": "с",
    "стр": "с",
    "с": "с",
}
HOUSE_WORDS = frozenset({"д", "дом", "домовладение", "двлд"})
# Country and region written before the city; only whole phrases, since "Татарстан" alone is
# also a street in Kazan ("ул. Татарстан, д. 5").
REGION_PHRASES = (
    ("российская", "федерация"),
    ("россия",),
    ("рф",),
    ("республика", "татарстан"),
    ("респ", "татарстан"),
    ("татарстан", "республика"),
    ("татарстан", "респ"),
    ("рт",),
)
CITY_WORDS = frozenset({"г", "город", "гор"})
# What names a part of a building (a flat, an office, a room, non-residential premises). "кв"
# alone is a flat ("квартал" is "кв-л", one token); the marker counts only before a number.
FLAT_WORDS = frozenset(
    {"кв", "квартира", "кв-ра", "оф", "офис", "пом", "помещение", "комн", "комната", "ком"}
)
_GLUED_FLAT = re.compile(r"^(кв|оф|пом|комн)(\d[0-9а-я/\-]*)$")
LATIN_LOOKALIKES = str.maketrans({"a": "а", "b": "б", "c": "с", "e": "е", "k": "к", "o": "о"})

_SEPARATORS = re.compile(r"[^0-9a-zа-я/\-]+")
_POSTCODE = re.compile(r"^\d{6}$")
_LETTER = re.compile(r"^[а-я]$")
_HOUSE_WITH_LATIN = re.compile(r"^(\d+)([a-z])$")


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("ё", "е").replace("№", " ")
    out = []
    for raw in _SEPARATORS.sub(" ", text).split():
        token = raw.strip("-/")
        if not token:
            continue
        match = _HOUSE_WITH_LATIN.match(token)
        if match:
            token = match.group(1) + match.group(2).translate(LATIN_LOOKALIKES)
        out.append(token)
    return out


def _strip_region_and_city(tokens: list[str]) -> list[str]:
    """Drops "420111, Россия, Республика Татарстан, г. Казань" at the start."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        phrase = next(
            (p for p in REGION_PHRASES if tuple(tokens[i : i + len(p)]) == p),
            None,
        )
        if phrase is not None:
            i += len(phrase)
        elif _POSTCODE.match(token):
            i += 1
        elif token in CITY_WORDS and i + 1 < len(tokens):
            i += 2  # "г. Казань"
        elif i + 1 < len(tokens) and tokens[i + 1] in CITY_WORDS and not token[:1].isdigit():
            i += 2  # "Казань г."
        else:
            break
    return tokens[i:]


def _glue_house(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        prev_is_number = bool(out) and out[-1][-1:].isdigit()
        if token in HOUSE_WORDS and nxt[:1].isdigit():
            i += 1  # "д. 5" → "5"
            continue
        if token in HOUSE_PARTS and prev_is_number and nxt[:1].isdigit():
            out[-1] = out[-1] + HOUSE_PARTS[token] + nxt  # "5 корп 2" → "5к2"
            i += 2
            continue
        if _LETTER.match(token) and prev_is_number:
            out[-1] = out[-1] + token  # "5 а" → "5а"
            i += 1
            continue
        out.append(token)
        i += 1
    return out


def _split_flat(tokens: list[str]) -> tuple[list[str], str]:
    """The tokens of the building and the flat ("кв 126" → "126"), the flat taken out."""
    out: list[str] = []
    flat = ""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        glued = _GLUED_FLAT.match(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if glued and out:
            flat = flat or glued.group(2)
            i += 1
            continue
        if token in FLAT_WORDS and out and nxt[:1].isdigit():
            flat = flat or nxt
            i += 2
            continue
        out.append(token)
        i += 1
    return out, flat


def _normalise_once(text: str) -> str:
    tokens, _flat = _split_flat(_tokens(text))
    tokens = [STREET_TYPES.get(t, t) for t in tokens]
    tokens = _strip_region_and_city(tokens)
    tokens = [t for t in tokens if t != "ул"]
    types = [t for t in tokens if t in MOVED_TYPES]
    rest = [t for t in tokens if t not in MOVED_TYPES]
    return " ".join(types + _glue_house(rest))


def normalise_address(text: str) -> str:
    """The comparison key of an address (see the module docstring for the rules)."""
    key = _normalise_once(text or "")
    # Dropping a word can bring two others together ("5 ул а"); repeat until nothing changes.
    # A pass that changes the key drops or joins a word, so there are at most as many passes
    # as words ("д. д. д. д. д. д. 420111" needs seven; a fixed five left it half done).
    for _ in range(len(key.split()) + 1):
        again = _normalise_once(key)
        if again == key:
            break
        key = again
    return key


@dataclass(frozen=True)
class ParsedAddress:
    """An address taken apart: the street and house in key form (see :func:`normalise_address`)
    and the flat (office, room) as written, "" when there is none. ``building_key`` is what a
    building is found by: residents of one house share it whatever their flat."""

    street: str
    house: str
    flat: str = ""

    @property
    def building_key(self) -> str:
        return " ".join(part for part in (self.street, self.house) if part)


def parse_address(text: str) -> ParsedAddress:
    """Street, house and flat of an address: "ул. Короленко, д. 32, кв. 126" →
    ``ParsedAddress(street="короленко", house="32", flat="126")``. The house is the last word
    of the building key that starts with a digit ("ул. 8 Марта, 5": street "8 марта")."""
    _tokens_left, flat = _split_flat(_tokens(text or ""))
    words = normalise_address(text).split()
    if words and words[-1][:1].isdigit():
        return ParsedAddress(street=" ".join(words[:-1]), house=words[-1], flat=flat)
    return ParsedAddress(street=" ".join(words), house="", flat=flat)


def search_tokens(query: str) -> list[str]:
    """The words of a search query in key form, for "every word starts a word of the key"."""
    key = normalise_address(query)
    return key.split() if key else []


def clean_house(house: str) -> str:
    """A house number as people write it, without a leading "д."/"дом": "д. 5А" → "5А"."""
    text = " ".join((house or "").split())
    return re.sub(r"^(?:д\.?|дом)\s*(?=\d)", "", text, flags=re.IGNORECASE).strip(" ,")


def house_number(house: str) -> int:
    """The leading number of a house ("12к1" → 12), 0 when there is none; for sorting."""
    match = re.match(r"\D*?(\d+)", house or "")
    return min(int(match.group(1)), 2_000_000_000) if match else 0


def compose_address(street: str, house: str) -> str:
    """The address as shown to people: "ул. Баумана, д. 5"."""
    street = " ".join((street or "").split()).strip(" ,")
    house = clean_house(house)
    return f"{street}, д. {house}" if house else street
