"""Server-rendered SVG: the registry map (no JavaScript). Charts: cityhall.core.charts."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

__all__ = ["registry_map_svg"]


def registry_map_svg(records: Iterable, width: int = 640, height: int = 480) -> str:
    """Points of registry records on a plain frame fitted to the city (lat/lon box)."""
    points = [(r.lat, r.lon, r.number, r.title) for r in records]
    if points:
        lats = [p[0] for p in points]
        lons = [p[1] for p in points]
        south, north = min(lats) - 0.01, max(lats) + 0.01
        west, east = min(lons) - 0.01, max(lons) + 0.01
    else:
        south, north, west, east = 55.7, 55.9, 48.9, 49.3
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-label="Map of registry records">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef3f7" stroke="#555"/>',
    ]
    for lat, lon, number, title in points:
        x = (lon - west) / (east - west) * width
        y = (north - lat) / (north - south) * height
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#b00020" stroke="#fff">'
            f"<title>{escape(str(number))}: {escape(str(title))}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
