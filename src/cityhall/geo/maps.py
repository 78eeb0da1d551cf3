"""Server-drawn SVG maps: districts, suburbs and buildings without map tiles or JavaScript.

The one map renderer of the project: every app that shows the city draws it here. A page gets an
:class:`SvgMap` (paths already projected to the picture's coordinates) from :func:`draw_map` and
writes it inline with ``{% include "geo/includes/map.html" %}`` (no extra request, works offline
and prints), or serves it as a file with :func:`render_svg`. The projection is equirectangular
around the middle latitude — true to shape at city scale.

Accessibility: the picture has a title and a description (``role="img"``); every area and every
named place carries its own ``<title>`` (shown on hover); the include lists the named places as
text under the map, so nothing is known only from the picture. Colours are presentation
attributes in the SVG itself, so the map looks the same on any page and as a file.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

__all__ = [
    "SvgMap",
    "MapShape",
    "MapPoint",
    "MapPlace",
    "draw_map",
    "render_svg",
    "PALETTE",
    "SHADES",
    "colour_for",
    "shades_for",
]

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


#: Light to darker blue for "how many" maps; dark labels stay above 4.5:1 on the darkest.
SHADES = ("#eef4fa", "#d6e6f5", "#bcd6ef", "#a3c6e8", "#8cb7e2")


def colour_for(position: int) -> str:
    return PALETTE[position % len(PALETTE)]


def shades_for(values: Sequence[int]) -> list[str]:
    """A fill per value, darker for more (equal classes from the smallest to the largest
    value: geo.shading)."""
    from .shading import shade_classes, shade_of

    classes = shade_classes(values)
    return [shade_of(value, classes) for value in values]


@dataclass(frozen=True)
class MapShape:
    code: str
    name: str
    path: str
    fill: str
    label_x: float
    label_y: float
    title: str = ""  # what hovering the area tells (defaults to its name)


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    title: str = ""


@dataclass(frozen=True)
class MapPlace:
    """A named place to mark on the map (a registry record, a request): its point and the text
    that names it — on hover and in the list under the map."""

    lat: float
    lon: float
    title: str


@dataclass
class SvgMap:
    width: int
    height: int
    areas: list[MapShape] = field(default_factory=list)
    outlines: list[MapShape] = field(default_factory=list)
    points: list[MapPoint] = field(default_factory=list)
    places: list[MapPoint] = field(default_factory=list)
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


def _bounds(
    shapes: list[tuple[object, BaseGeometry]],
    places: list[tuple[float, float]],
    points: list[tuple[float, float]],
) -> tuple[float, float, float, float] | None:
    """The frame: the areas' extent widened to every named place (none is left off the
    picture); with no areas, the places' or else the points' (lat, lon) with a margin."""
    boxes = [g.bounds for _a, g in shapes]
    spots = places if shapes or places else points
    if spots:
        margin = 0.002 if shapes else 0.01
        boxes.append(
            (
                min(lon for _lat, lon in spots) - margin,
                min(lat for lat, _lon in spots) - margin,
                max(lon for _lat, lon in spots) + margin,
                max(lat for lat, _lon in spots) + margin,
            )
        )
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def draw_map(
    *,
    areas: Sequence,
    outlines: Sequence = (),
    points: Iterable[tuple[float, float]] = (),
    places: Iterable[MapPlace] = (),
    marker: tuple[float, float] | None = None,
    width: int = 800,
    padding: int = 12,
    colours: Sequence[str] | None = None,
    titles: Sequence[str] | None = None,
) -> SvgMap | None:
    """A map of ``areas`` (filled, labelled, titled by ``titles`` or their names), ``outlines``
    (dashed borders only), anonymous building ``points`` as (lat, lon), named ``places`` and one
    highlighted ``marker`` (lat, lon). The frame fits the areas and the places (with no areas,
    the points). None when there is nothing to draw. Shapes are simplified to half a pixel, so
    the page stays small."""
    shapes = [(area, shape(area.geometry)) for area in areas]
    points = list(points)
    places = list(places)
    bounds = _bounds(shapes, [(p.lat, p.lon) for p in places], points)
    if bounds is None:
        return None
    projection = _Projection(bounds, width, padding)
    tolerance = projection.degrees_per_pixel() / 2
    result = SvgMap(width=projection.width, height=projection.height)
    result.font_size = max(10.0, round(width / 46, 1))
    for position, (area, geom) in enumerate(shapes):
        simple = geom.simplify(tolerance, preserve_topology=True)
        label = geom.representative_point()
        x, y = projection.xy(label.x, label.y)
        fill = colours[position] if colours else colour_for(position)
        name = area.display_name
        title = titles[position] if titles else name
        result.areas.append(
            MapShape(area.code, name, _path(projection, simple), fill, x, y, title=title)
        )
    for area in outlines:
        geom = shape(area.geometry).simplify(tolerance, preserve_topology=True)
        result.outlines.append(
            MapShape(area.code, area.display_name, _path(projection, geom), "none", 0, 0)
        )
    result.points = [MapPoint(*projection.xy(lon, lat)) for lat, lon in points]
    result.places = [MapPoint(*projection.xy(p.lon, p.lat), title=p.title) for p in places]
    if marker is not None:
        result.marker = MapPoint(*projection.xy(marker[1], marker[0]))
    return result


def render_svg(svg_map: SvgMap | None, *, title: str, desc: str = "") -> str:
    """The map as a standalone SVG document (for ``image/svg+xml`` responses and ``<img>``);
    an empty frame when there is nothing to draw."""
    return render_to_string(
        "geo/map.svg",
        {
            "map": svg_map or SvgMap(width=640, height=480),
            "map_id": "map",
            "map_title": title,
            "map_desc": desc,
            "standalone": True,
        },
    )
