"""Phone numbers in one form, E.164 (``+79175550001``), so that lookups by phone find the person.

Parsing follows Google's libphonenumber (the ``phonenumbers`` package): a number written without
a country code is read as a number of ``settings.PHONE_REGION`` (Russia by default), so
``8 917 555-00-01``, ``+7 917 555-00-01`` and ``9175550001`` are the same ``+79175550001``.
Every input (registration, sign-in, request contacts) and every search goes through
:func:`normalise_phone`.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings

__all__ = ["normalise_phone"]


def normalise_phone(raw: str | None) -> str | None:
    """``8 (843) 123-45-67`` → ``+78431234567``; None if it is not a possible phone number."""
    if not raw or not str(raw).strip():
        return None
    text = str(raw).strip()
    region = getattr(settings, "PHONE_REGION", "RU")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
