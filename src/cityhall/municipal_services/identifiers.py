"""Russian identifiers a form may ask for, checked by their checksums: INN (taxpayer number,
10 digits for an organisation, 12 for a person), OGRN (13) and OGRNIP (15), SNILS (11), and
the cadastral number's shape (``16:50:011001:123``).

Pure module: the form's JSON Schema names them as ``format`` values (``inn``, ``ogrn``,
``snils``, ``cadastral-number``) and :data:`FORMAT_CHECKER` checks them, so a typo is refused
at the door, on every channel, like any other schema error.
"""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator, FormatChecker

__all__ = ["FORMAT_CHECKER", "is_inn", "is_ogrn", "is_snils", "is_cadastral_number"]

_CADASTRAL = re.compile(r"^\d{2}:\d{2}:\d{6,7}:\d{1,7}$")


def _digits(value: object, *lengths: int) -> list[int] | None:
    text = str(value)
    if not text.isdigit() or len(text) not in lengths:
        return None
    return [int(c) for c in text]


def _weighted(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def is_inn(value: object) -> bool:
    digits = _digits(value, 10, 12)
    if digits is None:
        return False
    if len(digits) == 10:
        return _weighted(digits, (2, 4, 10, 3, 5, 9, 4, 6, 8)) == digits[9]
    first = _weighted(digits, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    second = _weighted(digits, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return first == digits[10] and second == digits[11]


def is_ogrn(value: object) -> bool:
    digits = _digits(value, 13, 15)
    if digits is None:
        return False
    body = int(str(value)[:-1])
    modulus = 11 if len(digits) == 13 else 13
    return body % modulus % 10 == digits[-1]


def is_snils(value: object) -> bool:
    text = re.sub(r"[\s-]", "", str(value))
    digits = _digits(text, 11)
    if digits is None:
        return False
    total = sum(d * (9 - i) for i, d in enumerate(digits[:9]))
    check = total % 101
    if check == 100:
        check = 0
    return check == int(text[9:])


def is_cadastral_number(value: object) -> bool:
    return bool(_CADASTRAL.match(str(value)))


#: The standard formats (date, e-mail…) and ours.
FORMAT_CHECKER: FormatChecker = FormatChecker()
for _name, _check in Draft202012Validator.FORMAT_CHECKER.checkers.items():
    FORMAT_CHECKER.checkers[_name] = _check
FORMAT_CHECKER.checks("inn")(is_inn)
FORMAT_CHECKER.checks("ogrn")(is_ogrn)
FORMAT_CHECKER.checks("snils")(is_snils)
FORMAT_CHECKER.checks("cadastral-number")(is_cadastral_number)
