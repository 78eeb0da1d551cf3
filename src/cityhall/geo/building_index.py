"""The in-process index of building points behind :func:`selectors.building_for_point`.

Placing a resident's report on the map asks "which building is here?" on every request. The
points of all buildings (id, latitude, longitude: a few megabytes for a city) are kept in a grid
of cells of ``CELL_DEGREES``, so finding the nearest candidates is a few dictionary look-ups; the
chosen building is then read by primary key (the caller always gets the current row).

Staying fresh follows :class:`cityhall.core.process_cache.ProcessCache`: a building saved or
deleted in this process drops the index at once (rollbacks included); changes by other
processes are noticed within ``GEO_BUILDING_RECHECK_SECONDS`` (default 2 s).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cityhall.core.process_cache import ProcessCache

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
    #: (lat, lon) by building id: maps place counts per building without a join.
    points: dict[int, tuple[float, float]] = field(default_factory=dict)

    def add(self, pk: int, lat: float, lon: float) -> None:
        self.cells.setdefault((_cell(lat), _cell(lon)), []).append((pk, lat, lon))
        self.points[pk] = (lat, lon)

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


def _build(fingerprint: tuple) -> BuildingIndex:
    index = BuildingIndex(fingerprint=fingerprint)
    for pk, lat, lon in Building.objects.values_list("id", "lat", "lon").iterator(2000):
        index.add(pk, lat, lon)
    return index


_cache: ProcessCache[BuildingIndex] = ProcessCache(
    name="geo-building-index",
    watched=(Building,),
    build=_build,
    recheck_setting="GEO_BUILDING_RECHECK_SECONDS",
)
#: The index, rebuilt when the buildings changed (see the module docstring).
current = _cache.current
#: Called after any building is saved or deleted in this process (signals connected in apps.py).
mark_changed = _cache.mark_changed
connect_signals = _cache.connect_signals
