"""Regional days off as data (issue 16.23a).

The ``holidays`` library knows Russia's federal holidays but no region's own: Tatarstan rests on
Uraza Bayram, Kurban Bayram, Republic Day (30 August) and Constitution Day (6 November). Each
region's dates ship as one JSON file in ``calendar_regions/`` (``RU-TA.json``: this year and
the next); ``settings.CALENDAR_REGION`` says which region the city is in. ``cityhall
load_regional_days`` (and the demo) write them into the business calendar's overrides
(``CalendarDay`` with ``region`` set), where officials correct them in the admin — the dates of
the two Bayrams are fixed by decree each year. Pure module: reading the files, no ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RegionalDay", "shipped_days", "REGION_FILES"]

REGION_FILES = Path(__file__).parent / "calendar_regions"


@dataclass(frozen=True)
class RegionalDay:
    date: dt.date
    name: str


def shipped_days(region: str, years: list[int] | None = None) -> list[RegionalDay]:
    """The region's days off shipped with the platform (for ``years``, else every year the file
    has); none for a region without a file."""
    path = REGION_FILES / f"{region}.json"
    if not region or not path.is_file():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    result = []
    for year, days in sorted((data.get("days_off") or {}).items()):
        if years is not None and int(year) not in years:
            continue
        result.extend(
            RegionalDay(dt.date.fromisoformat(d["date"]), d.get("name", "")) for d in days
        )
    return result
