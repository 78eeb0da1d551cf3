"""The in-process index of district and suburb boundaries behind :func:`selectors.locate`.

Every request that places a point (a resident's report, a discussion's territory, the address
page) asks "which district is this in?", so the answer must not cost a query. The boundaries are
loaded once per process into shapely *prepared* geometries with their bounding boxes; a lookup is
a few bounding-box comparisons and one prepared point test (microseconds).

It stays fresh without a query per lookup by the rules of
:class:`cityhall.core.process_cache.ProcessCache` (other processes' changes are noticed within
``GEO_AREA_RECHECK_SECONDS``, default 2 s; this process's at once, rollbacks included).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from cityhall.core.process_cache import ProcessCache

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


def _build(fingerprint: tuple) -> AreaIndex:
    index = AreaIndex(fingerprint=fingerprint)
    index.districts = [_entry(d) for d in District.objects.order_by("code")]
    for suburb in Suburb.objects.order_by("code"):
        index.suburbs_by_district.setdefault(suburb.district_id, []).append(_entry(suburb))
    return index


_cache: ProcessCache[AreaIndex] = ProcessCache(
    name="geo-area-index",
    watched=(District, Suburb),
    build=_build,
    recheck_setting="GEO_AREA_RECHECK_SECONDS",
)
#: The index, rebuilt when the boundaries changed (see the module docstring).
current = _cache.current
#: Called after any district or suburb is saved or deleted (signals connected in apps.py).
mark_changed = _cache.mark_changed
connect_signals = _cache.connect_signals
