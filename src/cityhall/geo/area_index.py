"""The in-process index of district and suburb boundaries behind :func:`selectors.locate`.

Every request that places a point (a resident's report, a discussion's territory, the address
page) asks "which district is this in?", so the answer must not cost a query. The boundaries are
loaded once per process into shapely *prepared* geometries with their bounding boxes; a lookup is
a few bounding-box comparisons and one prepared point test (microseconds).

Staying fresh without a query per lookup:

- when this process saves or deletes an area, the index is dropped at once and rebuilt on the
  next lookup; until that transaction commits (or a lookup runs outside any transaction), every
  lookup compares the tables' fingerprint (row count, last change, last id) — so a rolled-back
  change is never served;
- changes made by other processes (web workers, the background worker) are noticed by the same
  fingerprint, compared at most every ``GEO_AREA_RECHECK_SECONDS`` (default 2 s).

This works with any cache backend (the default per-process memory cache cannot tell other
processes anything) and with both SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .models import District, Suburb

__all__ = ["AreaIndex", "current", "mark_changed"]


@dataclass(frozen=True)
class _Entry:
    area: District | Suburb
    bounds: tuple[float, float, float, float]
    geom: BaseGeometry  # prepared

    def covers(self, lon: float, lat: float) -> bool:
        min_lon, min_lat, max_lon, max_lat = self.bounds
        if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
            return False
        # intersects_xy counts the boundary as inside: a point on a border is in the city.
        return bool(shapely.intersects_xy(self.geom, lon, lat))


@dataclass
class AreaIndex:
    fingerprint: tuple
    districts: list[_Entry] = field(default_factory=list)
    suburbs_by_district: dict[int, list[_Entry]] = field(default_factory=dict)

    def find(self, lon: float, lat: float) -> tuple[District | None, Suburb | None]:
        """The district and suburb covering the point, as fresh copies (callers may change
        them without touching the index). A point on a shared border goes to the district that
        sorts first by code."""
        for entry in self.districts:
            if entry.covers(lon, lat):
                district = entry.area
                for sub in self.suburbs_by_district.get(district.pk, ()):
                    if sub.covers(lon, lat):
                        return copy.copy(district), copy.copy(sub.area)
                return copy.copy(district), None
        return None, None

    def covers(self, lon: float, lat: float) -> bool:
        return any(entry.covers(lon, lat) for entry in self.districts)


def _entry(area: District | Suburb) -> _Entry:
    geom = shape(area.geometry)
    shapely.prepare(geom)
    return _Entry(area=area, bounds=geom.bounds, geom=geom)


def _fingerprint() -> tuple:
    parts = []
    for model in (District, Suburb):
        row = model.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
        parts.append((row["n"], row["top"], row["last"]))
    return tuple(parts)


def _build(fingerprint: tuple) -> AreaIndex:
    index = AreaIndex(fingerprint=fingerprint)
    index.districts = [_entry(d) for d in District.objects.order_by("code")]
    for suburb in Suburb.objects.order_by("code"):
        index.suburbs_by_district.setdefault(suburb.district_id, []).append(_entry(suburb))
    return index


class _State:
    index: AreaIndex | None = None
    checked_at: float = 0.0
    uncommitted: bool = False


def current() -> AreaIndex:
    """The index, rebuilt when the boundaries changed (see the module docstring)."""
    index = _State.index
    now = time.monotonic()
    recheck = float(getattr(settings, "GEO_AREA_RECHECK_SECONDS", 2.0))
    if index is not None and not _State.uncommitted and now - _State.checked_at < recheck:
        return index
    fingerprint = _fingerprint()
    if index is None or index.fingerprint != fingerprint:
        index = _build(fingerprint)
        _State.index = index
    _State.checked_at = now
    if _State.uncommitted and not transaction.get_connection().in_atomic_block:
        # Outside any transaction the change was either committed or rolled back (its
        # on-commit hook then never runs): what was just read is the truth.
        _State.uncommitted = False
    return index


def _committed() -> None:
    _State.uncommitted = False
    _State.index = None


def mark_changed(**_kwargs) -> None:
    """Called after any district or suburb is saved or deleted (connected in apps.py)."""
    _State.index = None
    _State.uncommitted = True
    transaction.on_commit(_committed)
