"""The API's input parser: JSON bodies and query strings pass the platform's one text rule.

Every string that reaches an API handler — in a JSON body (keys too) or a query string — has
its control characters removed and a lone surrogate replaced (core.text), so no handler can
store or look up text that PostgreSQL, UTF-8 or XML refuse.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from .text import clean_data

__all__ = ["CleanParser"]


# What a JSON body needs to carry a character core.text removes or replaces: an escape of a
# C0 control (``\b``, ``\f``, ``\u00…``), of DEL … the C1 controls, of a surrogate or of
# U+FFFE/U+FFFF, or such a character written raw (UTF-8 bytes; raw surrogates, which
# json.loads lets through). A superset — an escaped backslash before "u00…" or an escaped tab
# also match — that only costs the walk.
_MAYBE_UNCLEAN = re.compile(
    rb"\\[bf]|\\u(?:00[01]|00[7-9]|[dD][89a-fA-F]|[fF][fF][fF][eEfF])"
    rb"|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]"
)


class CleanParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        body = request.body
        data = json.loads(body)
        # Most bodies have nothing to clean: one scan of the bytes instead of a walk of every
        # string in the parsed data.
        if isinstance(body, bytes) and not _MAYBE_UNCLEAN.search(body):
            return data
        return clean_data(data)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return clean_data(super().parse_querydict(data, list_fields, request))
