"""The in-process index of building points behind :func:`selectors.building_for_point`.

Placing a resident's report on the map asks "which building is here?" on every request. The
points of all buildings (id, latitude, longitude: a few megabytes for a city) are kept in a grid
of cells of ``CELL_DEGREES``, so finding the nearest candidates is a few dictionary look-ups; the
chosen building is then read by primary key (the caller always gets the current row).

Staying fresh follows :mod:`cityhall.geo.area_index`: a building saved or deleted in this
process drops the index at once and, until that transaction ends, every lookup compares the
table's fingerprint (row count, last id, last change); changes by other processes are noticed
by the same fingerprint, compared at most every ``GEO_BUILDING_RECHECK_SECONDS`` (default 2 s).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_migrate, post_save

from .models import Building

__all__ = ["BuildingIndex", "current", "mark_changed"]

#: About 220 m north–south and 125 m east–west at Kazan's latitude.
CELL_DEGREES = 0.002


def _cell(value: float) -> int:
    return math.floor(value / CELL_DEGREES)


@dataclass
class BuildingIndex:
    fingerprint: tuple
    cells: dict[tuple[int, int], list[tuple[int, float, float]]] = field(default_factory=dict)

    def add(self, pk: int, lat: float, lon: float) -> None:
        self.cells.setdefault((_cell(lat), _cell(lon)), []).append((pk, lat, lon))

    def within_box(
        self, lat: float, lon: float, dlat: float, dlon: float
    ) -> list[tuple[int, float, float]]:
        """(id, lat, lon) of the buildings in the box around the point, by id."""
        found = []
        for row in range(_cell(lat - dlat), _cell(lat + dlat) + 1):
            for col in range(_cell(lon - dlon), _cell(lon + dlon) + 1):
                for pk, b_lat, b_lon in self.cells.get((row, col), ()):
                    if abs(b_lat - lat) <= dlat and abs(b_lon - lon) <= dlon:
                        found.append((pk, b_lat, b_lon))
        found.sort()
        return found


def _fingerprint() -> tuple:
    row = Building.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at"))
    return (row["n"], row["top"], row["last"])


def _build(fingerprint: tuple) -> BuildingIndex:
    index = BuildingIndex(fingerprint=fingerprint)
    for pk, lat, lon in Building.objects.values_list("id", "lat", "lon").iterator(2000):
        index.add(pk, lat, lon)
    return index


class _State:
    index: BuildingIndex | None = None
    checked_at: float = 0.0
    uncommitted: bool = False


def current() -> BuildingIndex:
    """The index, rebuilt when the buildings changed (see the module docstring)."""
    index = _State.index
    now = time.monotonic()
    recheck = float(getattr(settings, "GEO_BUILDING_RECHECK_SECONDS", 2.0))
    if index is not None and not _State.uncommitted and now - _State.checked_at < recheck:
        return index
    fingerprint = _fingerprint()
    if index is None or index.fingerprint != fingerprint:
        index = _build(fingerprint)
        _State.index = index
    _State.checked_at = now
    if _State.uncommitted and not transaction.get_connection().in_atomic_block:
        _State.uncommitted = False
    return index


def _committed() -> None:
    _State.uncommitted = False
    _State.index = None


def mark_changed(**_kwargs) -> None:
    """Called after any building is saved or deleted in this process."""
    _State.index = None
    _State.uncommitted = True
    transaction.on_commit(_committed)


def _forget(**_kwargs) -> None:
    """After migrate or flush (which bypass model signals)."""
    _State.index = None


post_save.connect(mark_changed, sender=Building, dispatch_uid="geo-building-index-save")
post_delete.connect(mark_changed, sender=Building, dispatch_uid="geo-building-index-delete")
post_migrate.connect(_forget, dispatch_uid="geo-building-index-migrate")
