"""Server-drawn SVG maps: districts, suburbs and buildings without map tiles or JavaScript.

A page gets an :class:`SvgMap` (paths already projected to the picture's coordinates) and the
template writes it inline, so the map costs no extra request, works offline and prints. The
projection is equirectangular around the middle latitude — true to shape at city scale.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

__all__ = ["SvgMap", "MapShape", "MapPoint", "draw_map", "PALETTE", "colour_for"]

# Light fills: dark labels on them keep well above 4.5:1 contrast; borders are near-black.
PALETTE = (
    "#cfe3f5",
    "#f7d9c4",
    "#d4ebcb",
    "#efd5ea",
    "#f9ecb0",
    "#cfe8e6",
    "#e4dccd",
    "#dcd6f2",
)


def colour_for(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    path: str
    fill: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float


@dataclass
class SvgMap:
    width: int
    height: int
    areas: list[MapShape] = field(default_factory=list)
    outlines: list[MapShape] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    marker: MapPoint | None = None
    font_size: float = 14.0

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


class _Projection:
    def __init__(self, bounds: tuple[float, float, float, float], width: int, padding: int):
        min_lon, min_lat, max_lon, max_lat = bounds
        self.min_lon, self.max_lat = min_lon, max_lat
        self.kx = math.cos(math.radians((min_lat + max_lat) / 2))
        span_x = max((max_lon - min_lon) * self.kx, 1e-9)
        span_y = max(max_lat - min_lat, 1e-9)
        self.scale = (width - 2 * padding) / span_x
        self.padding = padding
        self.width = width
        self.height = int(math.ceil(span_y * self.scale + 2 * padding))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        x = (lon - self.min_lon) * self.kx * self.scale + self.padding
        y = (self.max_lat - lat) * self.scale + self.padding
        return round(x, 1), round(y, 1)

    def degrees_per_pixel(self) -> float:
        return 1.0 / self.scale


def _ring(projection: _Projection, coords: Iterable[Sequence[float]]) -> str:
    points = [projection.xy(lon, lat) for lon, lat, *_ in coords]
    if len(points) < 3:
        return ""
    head = f"M{points[0][0]:g},{points[0][1]:g}"
    tail = "".join(f"L{x:g},{y:g}" for x, y in points[1:-1])
    return head + tail + "Z"


def _path(projection: _Projection, geom: BaseGeometry) -> str:
    polygons = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    parts = []
    for polygon in polygons:
        if not isinstance(polygon, Polygon) or polygon.is_empty:
            continue
        parts.append(_ring(projection, polygon.exterior.coords))
        parts.extend(_ring(projection, interior.coords) for interior in polygon.interiors)
    return "".join(parts)


def draw_map(
    *,
    areas: Sequence,
    outlines: Sequence = (),
    points: Iterable[tuple[float, float]] = (),
    marker: tuple[float, float] | None = None,
    width: int = 800,
    padding: int = 12,
    colours: Sequence[str] | None = None,
) -> SvgMap | None:
    """A map of ``areas`` (filled, labelled), ``outlines`` (dashed borders only), building
    ``points`` as (lat, lon) and one highlighted ``marker`` (lat, lon). None when there is
    nothing to draw. Shapes are simplified to half a pixel, so the page stays small."""
    shapes = [(area, shape(area.geometry)) for area in areas]
    if not shapes:
        return None
    min_lon = min(g.bounds[0] for _a, g in shapes)
    min_lat = min(g.bounds[1] for _a, g in shapes)
    max_lon = max(g.bounds[2] for _a, g in shapes)
    max_lat = max(g.bounds[3] for _a, g in shapes)
    projection = _Projection((min_lon, min_lat, max_lon, max_lat), width, padding)
    tolerance = projection.degrees_per_pixel() / 2
    result = SvgMap(width=projection.width, height=projection.height)
    result.font_size = max(10.0, round(width / 46, 1))
    for position, (area, geom) in enumerate(shapes):
        simple = geom.simplify(tolerance, preserve_topology=True)
        label = geom.representative_point()
        x, y = projection.xy(label.x, label.y)
        fill = colours[position] if colours else colour_for(position)
        result.areas.append(
            MapShape(area.code, area.display_name, _path(projection, simple), fill, x, y)
        )
    for area in outlines:
        geom = shape(area.geometry).simplify(tolerance, preserve_topology=True)
        result.outlines.append(
            MapShape(area.code, area.display_name, _path(projection, geom), "none", 0, 0)
        )
    result.points = [MapPoint(*projection.xy(lon, lat)) for lat, lon in points]
    if marker is not None:
        result.marker = MapPoint(*projection.xy(marker[1], marker[0]))
    return result
