"""Server-rendered SVG charts for statistics pages (no JavaScript, readable as text)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

__all__ = ["bar_chart"]

_ids = itertools.count(1)


def bar_chart(
    title: str,
    rows: Iterable[tuple[str, int]],
    *,
    width: int = 640,
    max_rows: int | None = None,
    label_chars: int = 40,
) -> SafeString:
    """Horizontal bars, one per row, with each value written beside its bar (readable without
    colour) and a title for screen readers. Labels are cut to ``label_chars`` before escaping,
    so an entity is never cut in half."""
    rows = list(rows)[:max_rows]
    bar_h, gap, label_w = 22, 8, 240
    height = max(1, len(rows)) * (bar_h + gap) + 10
    top = max((n for _, n in rows), default=0) or 1
    chart_id = f"chart-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}">',
        f'<title id="{chart_id}">{escape(str(title))}</title>',
    ]
    for i, (label, n) in enumerate(rows):
        y = 5 + i * (bar_h + gap)
        w = int((width - label_w - 70) * n / top)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#1a1a1a">{escape(str(label)[:label_chars])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="#0b4f8a"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13" fill="#1a1a1a">{n}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
