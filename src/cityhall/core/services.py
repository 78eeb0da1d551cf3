"""Business actions of the shared kernel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from . import audit
from .models import CalendarDay
from .regional_days import shipped_days
from .selectors import forget_business_calendar

__all__ = ["set_calendar_day", "clear_calendar_day", "load_regional_days"]


def set_calendar_day(
    *, actor: Any, date: dt.date, is_working: bool, name: str = "", region: str = ""
) -> CalendarDay:
    """An official marks a date as a working day or a day off (overrides the holiday library);
    ``region`` marks a region's own day off (see :mod:`.regional_days`)."""
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = audit.snapshot(day, ["is_working", "name", "region"]) if day else None
        if day is None:
            day = CalendarDay.objects.create(
                date=date, is_working=is_working, name=name, region=region
            )
        else:
            day.is_working, day.name, day.region = is_working, name, region
            day.save(update_fields=["is_working", "name", "region", "updated_at"])
        audit.record(
            actor=actor,
            action="calendar.day_set",
            target=day,
            before=before,
            after=audit.snapshot(day, ["date", "is_working", "name", "region"]),
        )
        forget_business_calendar()
        transaction.on_commit(forget_business_calendar)
    return day


def clear_calendar_day(*, actor: Any, date: dt.date) -> None:
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            return
        audit.record(
            actor=actor,
            action="calendar.day_cleared",
            target=day,
            before=audit.snapshot(day, ["date", "is_working", "name"]),
        )
        day.delete()
        forget_business_calendar()
        transaction.on_commit(forget_business_calendar)


def load_regional_days(*, actor: Any, region: str, years: list[int] | None = None) -> int:
    """Write the region's shipped days off (:func:`.regional_days.shipped_days`) into the
    business calendar; returns how many dates were added. A date the calendar already has is
    left alone: an official's correction (a Bayram moved by decree, a day made working) wins
    over the shipped file, and loading twice changes nothing."""
    added = 0
    for day in shipped_days(region, years):
        if CalendarDay.objects.filter(date=day.date).exists():
            continue
        set_calendar_day(
            actor=actor, date=day.date, is_working=False, name=day.name[:200], region=region
        )
        added += 1
    return added
