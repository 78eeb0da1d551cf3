"""The interactive map: one component for every page that shows a place.

Leaflet (and, on request, Leaflet.draw) come from the ``django-leaflet`` package and are served
by the platform itself: no map library or tile is fetched from anywhere the city did not
configure. The page holds no inline code (the Content-Security-Policy forbids it, ADR 0011):
the view builds a :class:`WebMap`, the template writes it with ::

    {% load geo_maps %}
    {% web_map the_map %}

which renders ``geo/includes/web_map.html``: the map's box (with its accessible name), its
settings as a JSON ``<script type="application/json">`` element read by ``geo/map.js``, the
legend, a quiet notice shown when the tile source is unreachable, and the text alternative — a
list of the same pins (title, lines, link) beside the map, so nothing is known only from the
picture and the page works without JavaScript. Add ``{% web_map_assets the_map %}`` to the
page's ``head`` block (Leaflet's and the component's style sheets) and
``{% web_map_scripts the_map %}`` to its ``scripts`` block.

Building a map (all keyword arguments; each page uses only what it needs)::

    web_map(
        map_id="request-map",          # unique on the page; the element ids derive from it
        label=_("Map of ..."),         # accessible name of the map box
        pins=[Pin(lat=..., lon=..., title=..., url=..., lines=(...,), kind="request")],
        shapes=[Shape(geometry=..., title=..., url=..., fill="#cfe3f5")],
        legend=[LegendEntry(colour="#cfe3f5", label="0–10")],
        clusters_url=reverse("..."),   # GeoJSON of clusters for the view (see below)
        bounds=(min_lon, min_lat, max_lon, max_lat),  # default: the pins, shapes or the city
        size="medium",                 # "small", "medium" or "large" (CSS classes)
        list_title=_("..."),           # heading of the text alternative
        pick=False,                    # a click places one pin: event ``cityhall-map:pick``
        draw=False,                    # also serve Leaflet.draw and geo/map-drawing.js
        options={...},                 # free, JSON-serialisable settings for page scripts
    )

Base layer: the tile source ``CITYHALL_MAP_TILES`` (an XYZ URL template such as
``https://tiles.example.org/{z}/{x}/{y}.png``; its attribution in
``CITYHALL_MAP_ATTRIBUTION``), else the city's own vector layers served by
``geo:map_base`` (districts; suburbs from zoom 12; building points from zoom 15) — a real,
zoomable map for the demo and offline installs. When the tiles fail to load the script drops
them, draws the vector layers and shows the notice.

Server-side clusters: with ``clusters_url`` the script asks
``<clusters_url>?bbox=min_lon,min_lat,max_lon,max_lat&zoom=Z`` plus the page's own query string
(its filters) after each move, and expects a GeoJSON ``FeatureCollection`` of points whose
properties are ``count`` (more than one: a cluster, drawn with its number, Enter or a click
zooms in), ``title``, ``url`` and ``lines`` (a single pin; optionally ``image`` and
``image_alt``: a photo above the lines, only one everyone may see).
:func:`cityhall.geo.clustering.grid_clusters` makes them from any queryset with latitude and
longitude columns.

Page scripts extend a map without touching this one: ``window.cityhallMaps.whenReady(id,
function (handle) {...})`` gives ``handle.map`` (the Leaflet map), ``handle.L``,
``handle.config`` and ``handle.element``; ``handle.setPick(lat, lon)`` moves the picked pin.
A form that asks for a drawn area or point configures ``window.cityhallDrawing.attach(box,
{...})`` (``geo/map-drawing.js``, served with ``draw=True``; docs/maps.md).
The map element dispatches ``cityhall-map:ready`` and, in pick mode, ``cityhall-map:pick``
(``detail.lat``, ``detail.lon``) — both bubble.

Keyboard: the map box is focusable (arrows pan, + and - zoom, the zoom buttons are buttons);
every pin and cluster is focusable and opens with Enter; an opened pin's link gets the focus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

__all__ = [
    "LegendEntry",
    "Pin",
    "Shape",
    "WebMap",
    "city_bounds",
    "tile_settings",
    "web_map",
]

SIZES = ("small", "medium", "large")


@dataclass(frozen=True)
class Pin:
    """A point on the map and in the text alternative. ``kind`` picks the pin's CSS class
    (``city-map-pin--<kind>``); ``lines`` are short facts shown under the title."""

    lat: float
    lon: float
    title: str
    url: str = ""
    lines: tuple[str, ...] = ()
    kind: str = "place"

    def as_json(self) -> dict[str, Any]:
        return {
            "lat": round(self.lat, 6),
            "lon": round(self.lon, 6),
            "title": self.title,
            "url": self.url,
            "lines": list(self.lines),
            "kind": self.kind,
        }


@dataclass(frozen=True)
class Shape:
    """An area (GeoJSON Polygon or MultiPolygon geometry) filled with ``fill``, or drawn as a
    dashed outline when ``fill`` is empty."""

    geometry: dict
    title: str
    url: str = ""
    fill: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": self.geometry,
            "properties": {"title": self.title, "url": self.url, "fill": self.fill},
        }


@dataclass(frozen=True)
class LegendEntry:
    colour: str
    label: str


@dataclass
class WebMap:
    map_id: str
    label: str
    pins: list[Pin] = field(default_factory=list)
    shapes: list[Shape] = field(default_factory=list)
    legend: list[LegendEntry] = field(default_factory=list)
    clusters_url: str = ""
    bounds: tuple[float, float, float, float] | None = None
    size: str = "medium"
    list_title: str = ""
    show_list: bool = True
    pick: bool = False
    draw: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def config_id(self) -> str:
        return f"{self.map_id}-config"

    @property
    def list_id(self) -> str:
        return f"{self.map_id}-list"

    def config(self) -> dict[str, Any]:
        """Everything ``geo/map.js`` needs, JSON-serialisable (written with ``json_script``)."""
        bounds = self.bounds or _bounds_of(self.pins, self.shapes) or city_bounds()
        return {
            "id": self.map_id,
            "tiles": tile_settings(),
            # What Leaflet puts in a tile it stops loading (its own is a data: URL, which the
            # Content-Security-Policy refuses): an empty picture of the platform's own.
            "emptyTile": static("geo/empty-tile.gif"),
            "baseUrl": reverse("geo:map_base"),
            "bounds": list(bounds) if bounds else None,
            "pins": [pin.as_json() for pin in self.pins],
            "shapes": [shape.as_json() for shape in self.shapes],
            "clustersUrl": self.clusters_url,
            "pick": self.pick,
            "draw": self.draw,
            "options": self.options,
            "strings": {
                "zoomIn": _("Zoom in"),
                "zoomOut": _("Zoom out"),
                "open": _("Open"),
                "cluster": _("%(count)s here: press Enter to zoom in"),
                "shown": _("%(count)s shown on the map"),
                "picked": _("Chosen point"),
                "tilesFailed": _(
                    "The map images could not be loaded; the city's own map is shown instead."
                ),
            },
        }


def web_map(
    *,
    map_id: str,
    label: str,
    pins: Iterable[Pin] = (),
    shapes: Iterable[Shape] = (),
    legend: Iterable[LegendEntry] = (),
    clusters_url: str = "",
    bounds: tuple[float, float, float, float] | None = None,
    size: str = "medium",
    list_title: str = "",
    show_list: bool = True,
    pick: bool = False,
    draw: bool = False,
    options: dict[str, Any] | None = None,
) -> WebMap:
    """A map for a page (see the module docstring for every argument)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    return WebMap(
        map_id=map_id,
        label=label,
        pins=list(pins),
        shapes=list(shapes),
        legend=list(legend),
        clusters_url=clusters_url,
        bounds=bounds,
        size=size,
        list_title=list_title,
        show_list=show_list,
        pick=pick,
        draw=draw,
        options=dict(options or {}),
    )


def tile_settings() -> dict[str, Any] | None:
    """The configured tile source, or None (the city's vector layers are the base)."""
    url = getattr(settings, "MAP_TILES", "")
    if not url:
        return None
    tiles = {
        "url": url,
        "attribution": getattr(settings, "MAP_ATTRIBUTION", ""),
        "maxZoom": int(getattr(settings, "MAP_MAX_ZOOM", 19)),
    }
    tiles.update(_archive_settings(url))
    return tiles


def _archive_settings(source: str) -> dict[str, Any]:
    """A PMTiles archive as the tile source (:mod:`.tile_archive`): a file here is read from
    the platform's own URL; the browser script draws it (``geo/map-pmtiles.js``)."""
    from . import tile_archive

    if not tile_archive.is_archive(source):
        return {}
    url = reverse("geo:tile_archive") if tile_archive.local_archive() else source
    return {"url": url, "archive": "pmtiles"}


def city_bounds() -> tuple[float, float, float, float] | None:
    """The extent of all districts (min_lon, min_lat, max_lon, max_lat), None without any."""
    from . import area_index

    boxes = [entry.bounds for entry in area_index.current().districts]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _bounds_of(
    pins: Sequence[Pin], shapes: Sequence[Shape]
) -> tuple[float, float, float, float] | None:
    from shapely.geometry import shape

    boxes = [shape(s.geometry).bounds for s in shapes]
    boxes += [(p.lon, p.lat, p.lon, p.lat) for p in pins]
    if not boxes:
        return None
    margin = 0.002
    return (
        min(b[0] for b in boxes) - margin,
        min(b[1] for b in boxes) - margin,
        max(b[2] for b in boxes) + margin,
        max(b[3] for b in boxes) + margin,
    )
