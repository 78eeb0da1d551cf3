"""Test helpers for accounts: verified attributes and TOTP codes (buildings and districts come
from tests.geo.factories)."""

from __future__ import annotations

import datetime as dt

from django_otp.oath import totp

from cityhall.accounts.verification import PropertyRight, VerifiedAttributes


def attributes(**overrides) -> VerifiedAttributes:
    values = {
        "last_name": "Иванова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "birth_date": dt.date(1990, 5, 17),
        "document_number": "9215 123456",
        "registered_address": "",
        "rights": (),
    }
    values.update(overrides)
    return VerifiedAttributes(**values)


def ownership(cadastral_number: str) -> PropertyRight:
    return PropertyRight(kind="ownership", cadastral_number=cadastral_number)


def totp_code(device) -> str:
    """The code an authenticator app shows now for ``device`` (computed independently)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"
