"""Numbers from query strings and forms, kept within what the database can store.

A client may send ``page=99999999999999999999`` or ``offset=-1``: Python takes any whole
number, SQLite's integers end at 2**63 - 1, and a negative slice is an error, so such values
used to reach the database as a 500. Pages use :func:`whole_number` (a value out of range is
treated as absent); API operations declare :func:`limit` and :func:`offset` (a value out of
range is a 422 naming the parameter) or paginate with :class:`PageNumbers`.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Query, Schema
from ninja.pagination import PageNumberPagination

__all__ = ["MAX_OFFSET", "MAX_PAGE", "PageNumbers", "limit", "offset", "whole_number"]

#: The largest id or count a database column holds (64-bit signed).
MAX_INTEGER = 2**63 - 1
#: Paging past these is refused: nobody reads a million rows by offset (use filters).
MAX_OFFSET = 1_000_000
MAX_PAGE = 100_000


def whole_number(
    value: Any,
    *,
    default: int | None = None,
    minimum: int = -MAX_INTEGER,
    maximum: int = MAX_INTEGER,
) -> int | None:
    """``value`` as an int when it is a whole number within ``minimum``…``maximum``, else
    ``default``."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if minimum <= number <= maximum else default


def limit(default: int = 50, maximum: int = 100) -> Any:
    """An API ``limit`` parameter: 1…``maximum``."""
    return Query(default, ge=1, le=maximum, description=f"Rows per answer, 1-{maximum}.")


def offset() -> Any:
    """An API ``offset`` parameter: 0…``MAX_OFFSET``."""
    return Query(0, ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0-{MAX_OFFSET}.")


class PageNumbers(PageNumberPagination):
    """ninja's page-number pagination with the page and its size bounded."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=100)
