"""Changes to the city's map: districts, suburbs and buildings, one by one or from GeoJSON.

Every change is audited. Boundaries are checked before they are stored (valid polygons, districts
do not overlap, a suburb lies inside its district), and a building is placed in its district and
suburb by its point, never by what somebody typed — so that routing a request or checking who
may take part in a discussion can trust ``building.district``.

One module per workflow: ``areas`` (districts and suburbs), ``buildings`` (one building),
``geojson_import`` (a whole file, all or nothing). The modules import each other only by public
names; this package re-exports their public surface.
"""

from __future__ import annotations

from .areas import (
    check_area,
    delete_area,
    save_area,
)
from .buildings import (
    BUILDING_ATTRIBUTES,
    check_building,
    create_building,
    delete_building,
    update_building,
)
from .geojson_import import (
    IMPORT_KINDS,
    FeatureError,
    ImportFailed,
    ImportResult,
    import_geojson,
)

__all__ = [
    "save_area",
    "delete_area",
    "check_area",
    "create_building",
    "update_building",
    "delete_building",
    "check_building",
    "import_geojson",
    "ImportResult",
    "ImportFailed",
    "FeatureError",
    "BUILDING_ATTRIBUTES",
    "IMPORT_KINDS",
]
