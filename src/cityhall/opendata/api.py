"""Open data through the API: every set queried without downloading it.

``GET /api/v1/opendata/`` lists the sets; ``GET /api/v1/opendata/{set}`` answers its rows,
filtered by the set's filter fields and paged by a cursor (the key of the last row received:
``next_cursor``), read from a replica when one is configured. One operation per set, so the
OpenAPI schema documents each set's filters and row fields. An unknown set is a 404 that lists
the sets. Public: no authentication.
"""

# No ``from __future__ import annotations``: the per-set operations are built at run time and
# ninja reads their parameter types from the annotations, which must be objects, not strings.

import datetime as dt
import itertools

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field as SchemaField
from ninja import Query, Router, Schema
from pydantic import create_model

from cityhall.core.opendata import Dataset, datasets
from cityhall.core.params import limit

from . import selectors

router = Router(tags=["open data"])

_TYPES = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": dt.date,
    "datetime": dt.datetime,
}


class FieldOut(Schema):
    name: str
    type: str
    title: str
    description: str


class SetOut(Schema):
    code: str
    title: str
    description: str
    page: str
    fields: list[FieldOut]
    filters: list[str]
    latest_version: str | None
    rows: int | None
    downloads: dict[str, str]


def _describe(found: Dataset) -> dict:
    newest = selectors.latest(found.code)
    base = settings.SITE_URL.rstrip("/")
    downloads = {}
    if newest is not None:
        for fmt, info in newest.files.items():
            if "skipped" not in info:
                url = reverse("opendata:download", args=[found.code, "latest", fmt])
                downloads[fmt] = base + url
    return {
        "code": found.code,
        "title": str(found.title),
        "description": str(found.description),
        "page": base + reverse("opendata:set", args=[found.code]),
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "title": str(f.title),
                "description": str(f.description),
            }
            for f in found.fields
        ],
        "filters": list(found.filters),
        "latest_version": newest.version if newest else None,
        "rows": newest.rows if newest else None,
        "downloads": downloads,
    }


@router.get("/", response=list[SetOut], auth=None, summary="The open data sets")
def list_sets(request: HttpRequest):
    return [_describe(found) for found in datasets()]


def _operation(found: Dataset):
    title = "".join(part.title() for part in found.code.split("-"))
    row_model = create_model(
        f"OpenData{title}Row",
        __base__=Schema,
        **{
            f.name: (_TYPES[f.type] | None, SchemaField(None, description=str(f.title)))
            for f in found.fields
        },
    )
    page_model = create_model(
        f"OpenData{title}Page",
        __base__=Schema,
        rows=(list[row_model], ...),
        next_cursor=(
            int | None,
            SchemaField(None, description="Pass as `cursor` for the next rows."),
        ),
    )
    filter_model = create_model(
        f"OpenData{title}Filters",
        __base__=Schema,
        **{
            name: (
                str | None,
                SchemaField(None, description=f"Only rows whose {name} is this value."),
            )
            for name in found.filters
        },
    )

    def rows(
        request: HttpRequest,
        filters: Query[filter_model],  # type: ignore[valid-type]
        cursor: int | None = Query(None, ge=0, description="The key of the last row received."),
        limit: int = limit(100, 1000),
    ):
        wanted = {k: v for k, v in filters.dict().items() if v not in (None, "")}
        stream = found.rows(after=cursor, filters=wanted, using=selectors.read_alias())
        page = list(itertools.islice(stream, limit + 1))
        more = len(page) > limit
        page = page[:limit]
        return {"rows": page, "next_cursor": page[-1][found.key] if more else None}

    router.add_api_operation(
        f"/{found.code}",
        ["GET"],
        rows,
        response={200: page_model},
        auth=None,
        summary=str(found.title),
        description=str(found.description),
        operation_id=f"opendata_{found.code.replace('-', '_')}",
    )


def mount_sets() -> None:
    """One operation per registered set, then the 404 for any other name."""
    for found in datasets():
        _operation(found)

    @router.get("/{code}", auth=None, include_in_schema=False)
    def unknown_set(request: HttpRequest, code: str):
        return JsonResponse(
            {
                "detail": _("There is no data set “%(code)s”.") % {"code": code},
                "code": "not_found",
                "sets": [d.code for d in datasets()],
            },
            status=404,
        )


mount_sets()

__all__ = ["router"]
