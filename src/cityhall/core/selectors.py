"""Read queries of the shared kernel."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .calendar import WorkingCalendar
from .models import CalendarDay

__all__ = ["business_calendar", "CALENDAR_CACHE_KEY"]

CALENDAR_CACHE_KEY = "core:business-calendar:v1"
_WORKDAY = os.environ.get("CITYHALL_WORKING_HOURS", "09:00-18:00")


def _parse_hours(spec: str) -> tuple[dt.time, dt.time]:
    start, end = spec.split("-")
    return dt.time.fromisoformat(start), dt.time.fromisoformat(end)


def business_calendar() -> WorkingCalendar:
    """The city's calendar: Russian public holidays and transfers (``holidays``), then the
    officials' overrides from the admin, which win. Cached; overrides clear the cache."""
    cached = cache.get(CALENDAR_CACHE_KEY)
    if cached is not None:
        return cached
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
    cache.set(CALENDAR_CACHE_KEY, result, 3600)
    return result
