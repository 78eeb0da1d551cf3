"""TOTP secrets encrypted at rest (Fernet, from ``cryptography``).

An authenticator's secret lets anyone compute the staff member's codes, so a copy of the
database (a backup, a leaked dump) must not hold it in clear. ``accounts.Authenticator`` keeps
only the Fernet token of the hex secret; the key is ``CITYHALL_TOTP_KEY`` (one Fernet key, or
several separated by commas: the first encrypts, all decrypt, for rotation), by default one
derived from ``SECRET_KEY``. Rotating ``SECRET_KEY`` without setting ``CITYHALL_TOTP_KEY`` to the
old derived key therefore means re-enrolling every authenticator.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "InvalidToken",
    "decrypt_secret",
    "encrypt_secret",
    "key_from_secret_key",
]


def key_from_secret_key(secret_key: str) -> str:
    """The default Fernet key: derived from ``SECRET_KEY`` (its own purpose string)."""
    digest = hashlib.sha256(f"cityhall-totp-secrets:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def _fernet() -> MultiFernet:
    configured = getattr(settings, "CITYHALL_TOTP_KEY", "") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        keys = [key_from_secret_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt_secret(hex_secret: str) -> str:
    return _fernet().encrypt(hex_secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()
