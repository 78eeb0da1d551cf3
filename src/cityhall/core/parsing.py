"""The API's input parser: JSON bodies and query strings pass the platform's one text rule.

Every string that reaches an API handler — in a JSON body (keys too) or a query string — has
its control characters removed and a lone surrogate replaced (core.text), so no handler can
store or look up text that PostgreSQL, UTF-8 or XML refuse.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.parser import Parser

from .text import clean_data

__all__ = ["CleanParser"]


class CleanParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        return clean_data(json.loads(request.body))

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        return clean_data(super().parse_querydict(data, list_fields, request))
