"""One rule for the characters of text that reaches the platform.

Control characters (NUL included) are removed and a lone surrogate becomes U+FFFD, the
replacement character: PostgreSQL refuses NUL in text and JSON, UTF-8 cannot encode a lone
surrogate, and XML 1.0 (Open311's format) forbids both, so stored text with them would break
registration, pages and feeds later. Tabs and line breaks stay in multi-line text
(:func:`clean_text`); a single-line value (:func:`clean_line`) turns them into spaces.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean_data", "clean_line", "clean_text", "is_clean"]

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the two
# non-characters XML forbids.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_LINE_BREAKS = re.compile("[\t\n\r\u2028\u2029]")


def is_clean(value: str) -> bool:
    return not (_CONTROLS.search(value) or _SURROGATES.search(value))


def clean_text(value: str) -> str:
    """Multi-line text without control characters or lone surrogates."""
    if is_clean(value):
        return value
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", value))


def clean_line(value: str) -> str:
    """Single-line text: :func:`clean_text`, with tabs and line breaks as spaces."""
    return _LINE_BREAKS.sub(" ", clean_text(value))


def clean_data(value: Any) -> Any:
    """``value`` with :func:`clean_text` applied to every string in it (keys included)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value
