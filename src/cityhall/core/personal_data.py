"""Masking what identifies a private person in free text that is published in bulk.

A resident may make a request's description public; public pages show it as written. Open data
copies it into files anyone harvests and keeps, so there it is masked first (the rule of
``docs/open-data.md``): e-mail addresses, every run of six or more digits (phones, passport,
SNILS and INN numbers, whatever their separators), flat numbers ("кв. 12", "квартира 12",
"flat 12", "apt. 12") and the words of the names given (the author's and the contact's).
Each masked part becomes :data:`MASK`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "mask_personal_data"]

MASK = "***"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# six or more digits, possibly split by spaces, dashes, dots, brackets or a leading +
_NUMBER = re.compile(r"\+?\d(?:[\s().-]{0,2}\d){5,}")
_FLAT = re.compile(
    r"\b(?:кв\.?|квартира|квартиры|квартире|фатир|flat|apt\.?|apartment)\s*(?:№\s*)?\d+\w*",
    re.IGNORECASE | re.UNICODE,
)
_WORD = re.compile(r"\w{2,}", re.UNICODE)


def mask_personal_data(text: str, names: Iterable[str | None] = ()) -> str:
    """``text`` with e-mails, long numbers, flat numbers and the words of ``names`` masked."""
    if not text:
        return text
    text = _EMAIL.sub(MASK, text)
    text = _FLAT.sub(MASK, text)
    text = _NUMBER.sub(MASK, text)
    words = {w.casefold() for name in names if name for w in _WORD.findall(name)}
    if words:
        text = _WORD.sub(lambda m: MASK if m.group().casefold() in words else m.group(), text)
    return text
