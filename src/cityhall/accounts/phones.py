"""Phone numbers in one form (+7XXXXXXXXXX) so that lookups by phone find the person."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\D+")


def normalise_phone(raw: str) -> str | None:
    """``8 (843) 123-45-67`` → ``+78431234567``; None if it is not a plausible number."""
    if not raw:
        return None
    digits = _DIGITS.sub("", raw)
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and not raw.strip().startswith("+"):
        return "+7" + digits
    if raw.strip().startswith("+") and 8 <= len(digits) <= 15:
        return "+" + digits
    return None
