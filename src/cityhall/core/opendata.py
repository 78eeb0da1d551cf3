"""Open data: the platform's public records as data sets, declared by the apps that own them.

Each app declares its sets in ``AppConfig.ready()``; the ``opendata`` app (the shell layer)
generates their versioned files, lists them at ``/opendata/`` and serves the API, without
importing any app (the registry sits in ``core``, below every app, as ``core.shell`` does)::

    from cityhall.core.opendata import Dataset, Field, register_dataset
    register_dataset(Dataset(code="requests", title=_("Resident requests"), ...,
                             fields=(Field("number", "string", _("Number")), ...),
                             rows=request_rows))

``rows(after=None, filters=None, using=None)`` yields the set's rows as dicts (one key per
field, values of the field's type) in ascending order of ``key`` (an integer field), strictly
after ``after`` when given, limited by ``filters`` (field name → value, for the fields named in
``filters``), read from the database alias ``using``. It must stream (``QuerySet.iterator``),
never build a list: the requests set has millions of rows.

**Privacy is the declaring app's duty and is tested for every set**
(``tests/opendata/test_privacy.py``): no row holds a private person's name, phone, e-mail,
document number, flat number or exact point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connections

__all__ = [
    "CHUNK",
    "FIELD_TYPES",
    "as_text",
    "chunks",
    "month_key",
    "raw_rows",
    "Dataset",
    "Field",
    "dataset",
    "datasets",
    "point",
    "register_dataset",
]

# The structure's types (the methodology's ``format`` column and the JSON Schema-like types
# the API documents).
FIELD_TYPES = ("string", "integer", "number", "boolean", "date", "datetime")

Rows = Callable[..., Iterator[dict[str, Any]]]
CHUNK = 5_000


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: Any
    description: Any = ""
    # the English description the methodology's structure file asks for besides the title
    english: str = ""

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"{self.name}: unknown field type {self.type!r}")


@dataclass(frozen=True)
class Dataset:
    code: str
    title: Any
    description: Any
    fields: tuple[Field, ...]
    rows: Rows
    key: str = "id"
    # row → GeoJSON geometry (or None): the set is also published as GeoJSON
    geometry: Callable[[dict[str, Any]], dict | None] | None = None
    filters: tuple[str, ...] = ()
    keywords: tuple[Any, ...] = ()
    frequency: str = "daily"  # daily | weekly | monthly (DCAT accrualPeriodicity)
    order: int = 100
    count: Callable[..., int] | None = None  # rows expected, for the progress shown to staff
    extra: dict = field(default_factory=dict)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def structure_signature(self) -> str:
        """What a structure version is: the field names and types, in order."""
        return ";".join(f"{f.name}:{f.type}" for f in self.fields)


_SETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    if dataset.key not in dataset.field_names:
        raise ValueError(f"{dataset.code}: the key {dataset.key!r} is not one of its fields")
    unknown = set(dataset.filters) - set(dataset.field_names)
    if unknown:
        raise ValueError(f"{dataset.code}: filters on unknown fields {sorted(unknown)}")
    _SETS[dataset.code] = dataset


def datasets() -> list[Dataset]:
    return sorted(_SETS.values(), key=lambda d: (d.order, d.code))


def dataset(code: str) -> Dataset | None:
    return _SETS.get(code)


def point(lat: float | None, lon: float | None) -> dict | None:
    """A GeoJSON point (longitude first), or None without coordinates."""
    if lat is None or lon is None:
        return None
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def as_text(value: Any) -> str:
    """A value as the CSV and XLSX files write it: ISO dates, ``true``/``false``, empty None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def raw_rows(queryset) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the driver gives them, without Django's
    per-value converters (on millions of rows they cost more than the query)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def chunks(
    queryset, columns: tuple[str, ...], *, after: int | None = None, raw: bool = False
) -> Iterator[list[tuple]]:
    """``queryset``'s rows as ``columns`` (the first one the integer ``id``), strictly after
    ``after``, in ascending id, :data:`CHUNK` at a time: an index walk that streams millions
    of rows in bounded memory. ``raw``: read through :func:`raw_rows`."""
    ordered = queryset.order_by("id")
    last = after or 0
    while True:
        page = ordered.filter(id__gt=last).values_list(*columns)[:CHUNK]
        chunk = raw_rows(page) if raw else list(page)
        if not chunk:
            return
        last = chunk[-1][0]
        yield chunk


def month_key(owner_id: int, month: dt.date) -> int:
    """The integer key of a row per owner (an organisation, a service) and month."""
    return owner_id * 1_000_000 + month.year * 100 + month.month
