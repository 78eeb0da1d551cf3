"""Read queries of the shared kernel."""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone

from .calendar import WorkingCalendar
from .models import CalendarDay

__all__ = ["business_calendar", "forget_business_calendar", "missing_regional_year"]

#: Each process keeps the calendar for this long; an override reaches every worker within it.
CALENDAR_TTL_SECONDS = 60
_cached: tuple[float, WorkingCalendar] | None = None
_WORKDAY = os.environ.get("CITYHALL_WORKING_HOURS", "09:00-18:00")


def _parse_hours(spec: str) -> tuple[dt.time, dt.time]:
    start, end = spec.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def business_calendar() -> WorkingCalendar:
    """The city's calendar: Russian public holidays and transfers (``holidays``), then the
    officials' overrides from the admin, which win. Kept per process for a minute."""
    global _cached
    if _cached is not None and time.monotonic() - _cached[0] < CALENDAR_TTL_SECONDS:
        return _cached[1]
    year = timezone.localdate().year
    years = range(year - 3, year + 6)
    ru = holidays.Russia(years=years)
    days_off = set(ru.keys())
    extra = set(getattr(ru, "weekend_workdays", set()))
    for override in CalendarDay.objects.all():
        if override.is_working:
            extra.add(override.date)
            days_off.discard(override.date)
        else:
            days_off.add(override.date)
            extra.discard(override.date)
    day_start, day_end = _parse_hours(_WORKDAY)
    result = WorkingCalendar(
        days_off=frozenset(days_off),
        extra_working_days=frozenset(extra),
        day_start=day_start,
        day_end=day_end,
        tz=ZoneInfo(settings.TIME_ZONE),
    )
    _cached = (time.monotonic(), result)
    return result


def forget_business_calendar() -> None:
    """Drop this process's copy (after an override, so the writer sees it at once)."""
    global _cached
    _cached = None


def missing_regional_year(today: dt.date | None = None) -> int | None:
    """In December, next year when the business calendar has none of the region's own days off
    for it (``settings.CALENDAR_REGION``; the staff workspace warns administrators, issue
    16.23a); else ``None``. Without the dates terms would end a day early on each of them."""
    today = today or timezone.localdate()
    region = getattr(settings, "CALENDAR_REGION", "")
    if today.month != 12 or not region:
        return None
    year = today.year + 1
    if CalendarDay.objects.filter(region=region, date__year=year).exists():
        return None
    return year
