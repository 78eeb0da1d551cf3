"""Server-rendered SVG: the map of discussions (no JavaScript). Charts: cityhall.core.charts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

__all__ = ["discussion_map"]


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        yield from geometry.get("coordinates", [])[:1]
    elif kind == "MultiPolygon":
        for polygon in geometry.get("coordinates", []):
            yield from polygon[:1]


def discussion_map(
    districts: Sequence[Any], discussions: Sequence[Any], *, width: int = 720
) -> SafeString:
    """Districts in grey, discussion territories in blue with links to their pages."""
    shapes = [d.geometry for d in districts if d.geometry] + [
        x.territory for x in discussions if x.territory
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

    def path(geometry: dict[str, Any]) -> str:
        out = []
        for ring in _rings(geometry):
            coords = " L".join(
                f"{(x - min_x) / span_x * (width - 20) + 10:.1f},"
                f"{(max_y - y) / span_y * (height - 20) + 10:.1f}"
                for x, y, *_rest in ring
            )
            out.append(f"M{coords} Z")
        return " ".join(out)

    parts = [
        f'<svg role="img" aria-labelledby="map-title" viewBox="0 0 {width} {height}" '
        f'class="map" xmlns="http://www.w3.org/2000/svg">',
        '<title id="map-title">Map of public discussions</title>',
    ]
    for d in districts:
        if d.geometry:
            parts.append(
                f'<path d="{path(d.geometry)}" fill="#f3f6f9" stroke="#4a4a4a" stroke-width="1">'
                f"<title>{escape(d.name)}</title></path>"
            )
    for x in discussions:
        if x.territory:
            parts.append(
                f'<a href="{escape(x.url)}"><path d="{path(x.territory)}" fill="#0b4f8a" '
                f'fill-opacity="0.45" stroke="#083b67" stroke-width="2">'
                f"<title>{escape(x.number)} {escape(x.title)}</title></path></a>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text is escaped above
