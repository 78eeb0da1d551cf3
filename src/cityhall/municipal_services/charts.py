"""Server-rendered SVG: bar charts for statistics and the registry map (no JavaScript)."""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

__all__ = ["bar_chart_svg", "registry_map_svg"]


def bar_chart_svg(rows: list[tuple[str, int]], title: str, width: int = 640) -> str:
    """Horizontal bars, one per row, with the value written beside each (readable as text)."""
    bar_h, gap, label_w = 22, 8, 240
    height = max(1, len(rows)) * (bar_h + gap) + 30
    top = max((v for _, v in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="chart-{abs(hash(title))}">',
        f'<title id="chart-{abs(hash(title))}">{escape(title)}</title>',
    ]
    for i, (label, value) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        w = int((width - label_w - 60) * value / top)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#1b1b1b">{escape(str(label))[:40]}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#0b5394"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13" fill="#1b1b1b">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


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
