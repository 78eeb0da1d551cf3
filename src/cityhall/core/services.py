"""Business actions of the shared kernel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from . import audit
from .models import CalendarDay
from .selectors import forget_business_calendar

__all__ = ["set_calendar_day", "clear_calendar_day"]


def set_calendar_day(*, actor: Any, date: dt.date, is_working: bool, name: str = "") -> CalendarDay:
    """An official marks a date as a working day or a day off (overrides the holiday library)."""
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = audit.snapshot(day, ["is_working", "name"]) if day else None
        if day is None:
            day = CalendarDay.objects.create(date=date, is_working=is_working, name=name)
        else:
            day.is_working, day.name = is_working, name
            day.save(update_fields=["is_working", "name", "updated_at"])
        audit.record(
            actor=actor,
            action="calendar.day_set",
            target=day,
            before=before,
            after=audit.snapshot(day, ["date", "is_working", "name"]),
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
