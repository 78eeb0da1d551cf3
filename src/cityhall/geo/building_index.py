"""The in-process index of building points behind :func:`selectors.building_for_point`.

Placing a resident's report on the map asks "which building is here?" on every request. The
points of all buildings (id, latitude, longitude: a few megabytes for a city) are kept in a grid
of cells of ``CELL_DEGREES``, so finding the nearest candidates is a few dictionary look-ups; the
chosen building is then read by primary key (the caller always gets the current row). The maps
place counts per building from the same points, kept as sorted arrays
(:meth:`BuildingIndex.locate`).

Staying fresh follows :class:`cityhall.core.process_cache.ProcessCache`: a building saved or
deleted in this process drops the index at once (rollbacks included); changes by other
processes are noticed within ``GEO_BUILDING_RECHECK_SECONDS`` (default 2 s).
"""

from __future__ import annotations

import math

import numpy as np
from django.db import connections

from cityhall.core.process_cache import ProcessCache

from .models import Building

__all__ = ["BuildingIndex", "current", "mark_changed"]

#: About 220 m north–south and 125 m east–west at Kazan's latitude.
CELL_DEGREES = 0.002


def _cell(value: float) -> int:
    return math.floor(value / CELL_DEGREES)


class BuildingIndex:
    """The points of every building: sorted arrays (id, lat, lon) read in one query, and the
    grid of cells built from them on first use (the maps need only the arrays)."""

    def __init__(self, fingerprint: tuple, rows: list[tuple] | None = None) -> None:
        self.fingerprint = fingerprint
        table = np.array(rows or [], dtype=float).reshape(-1, 3)
        order = np.argsort(table[:, 0], kind="stable")
        self.ids = table[order, 0].astype(np.int64)
        self.lats = table[order, 1]
        self.lons = table[order, 2]
        self._cells: dict[tuple[int, int], list[tuple[int, float, float]]] | None = None

    @property
    def cells(self) -> dict[tuple[int, int], list[tuple[int, float, float]]]:
        if self._cells is None:
            cells: dict[tuple[int, int], list[tuple[int, float, float]]] = {}
            for pk, lat, lon in zip(
                self.ids.tolist(), self.lats.tolist(), self.lons.tolist(), strict=True
            ):
                cells.setdefault((_cell(lat), _cell(lon)), []).append((pk, lat, lon))
            self._cells = cells
        return self._cells

    def locate(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lat, lon) of the buildings ``ids`` (an integer array) and which of them are known:
        ``lat[i]``, ``lon[i]`` belong to ``ids[known][i]``."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(self.ids):
            empty = np.zeros(0)
            return empty, empty, np.zeros(len(ids), dtype=bool)
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        known = self.ids[at] == ids
        return self.lats[at[known]], self.lons[at[known]], known

    def within_box(
        self, lat: float, lon: float, dlat: float, dlon: float
    ) -> list[tuple[int, float, float]]:
        """(id, lat, lon) of the buildings in the box around the point, by id."""
        found = []
        cells = self.cells
        for row in range(_cell(lat - dlat), _cell(lat + dlat) + 1):
            for col in range(_cell(lon - dlon), _cell(lon + dlon) + 1):
                for pk, b_lat, b_lon in cells.get((row, col), ()):
                    if abs(b_lat - lat) <= dlat and abs(b_lon - lon) <= dlon:
                        found.append((pk, b_lat, b_lon))
        found.sort()
        return found


def _build(fingerprint: tuple) -> BuildingIndex:
    # Read as the driver gives the rows (no ORM converters, no ordering): 20,000 buildings in
    # a few milliseconds, so a worker's first map answer does not wait for this.
    rows = Building.objects.order_by().values_list("id", "lat", "lon")
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return BuildingIndex(fingerprint, cursor.fetchall())


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
