"""Server-rendered SVG: the map of discussions (no JavaScript). Charts: cityhall.core.charts.

Every discussion is drawn as the polygon it covers: its own territory filled, a discussion of
whole districts (or of the whole city) as a faint dashed area; bigger areas are drawn first so
smaller ones stay on top and clickable. The picture carries its bounds (``data-bounds``) so the
page's script can turn a click into a point.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

__all__ = ["discussion_map"]


def _attr(text: str) -> str:
    """Text for a double-quoted attribute (``escape`` alone leaves quotes as they are)."""
    return escape(text, {'"': "&quot;"})


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        yield from geometry.get("coordinates", [])[:1]
    elif kind == "MultiPolygon":
        for polygon in geometry.get("coordinates", []):
            yield from polygon[:1]


def discussion_map(
    districts: Sequence[Any],
    entries: Sequence[Any],
    *,
    width: int = 720,
    title: str = "Map of public discussions",
    chosen: tuple[float, float] | None = None,
) -> SafeString:
    """Districts in grey; territories in blue, each a link to its discussion. ``entries`` have
    ``territory`` (GeoJSON or None), ``own`` (a territory of its own rather than districts),
    ``url`` and ``discussion``; ``chosen`` is a (lat, lon) to highlight."""
    shapes = [d.geometry for d in districts if d.geometry] + [
        e.territory for e in entries if e.territory
    ]
    points = [pt for g in shapes for ring in _rings(g) for pt in ring]
    if not points:
        return mark_safe("")
    min_x = min(p[0] for p in points)
    max_x = max(p[0] for p in points)
    min_y = min(p[1] for p in points)
    max_y = max(p[1] for p in points)
    span_x, span_y = (max_x - min_x) or 1e-6, (max_y - min_y) or 1e-6
    height = int(width * span_y / span_x * 1.6) or width

    def xy(x: float, y: float) -> tuple[float, float]:
        return (
            (x - min_x) / span_x * (width - 20) + 10,
            (max_y - y) / span_y * (height - 20) + 10,
        )

    def path(geometry: dict[str, Any]) -> str:
        out = []
        for ring in _rings(geometry):
            coords = " L".join("{:.1f},{:.1f}".format(*xy(x, y)) for x, y, *_rest in ring)
            out.append(f"M{coords} Z")
        return " ".join(out)

    parts = [
        # A group, not an image: it holds links (an image's children are presentational).
        f'<svg role="group" aria-labelledby="map-title" viewBox="0 0 {width} {height}" '
        f'class="map" xmlns="http://www.w3.org/2000/svg" '
        f'data-bounds="{min_x:.7f},{min_y:.7f},{max_x:.7f},{max_y:.7f}">',
        f'<title id="map-title">{escape(title)}</title>',
    ]
    for d in districts:
        if d.geometry:
            parts.append(
                f'<path d="{path(d.geometry)}" fill="#f3f6f9" stroke="#4a4a4a" stroke-width="1">'
                f"<title>{escape(d.display_name)}</title></path>"
            )
    for e in entries:  # biggest first: a small territory stays on top and clickable
        if not e.territory:
            continue
        x = e.discussion
        opacity, dash = ("0.45", "") if e.own else ("0.08", ' stroke-dasharray="6 4"')
        parts.append(
            f'<a href="{_attr(e.url)}" class="map-territory" '
            f'aria-label="{_attr(f"{x.number} {x.title}")}">'
            f'<path d="{path(e.territory)}" fill="#0b4f8a" '
            f'fill-opacity="{opacity}" stroke="#083b67" stroke-width="2"{dash}>'
            f"<title>{escape(x.number)} {escape(x.title)}</title></path></a>"
        )
    if chosen is not None:
        cx, cy = xy(chosen[1], chosen[0])
        parts.append(
            f'<g class="chosen-point"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="7" fill="#b3261e" '
            f'stroke="#ffffff" stroke-width="2"/></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
