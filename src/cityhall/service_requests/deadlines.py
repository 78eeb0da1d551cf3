"""Stage due times: pure (no ORM, time and calendar are inputs).

A category version gives each timed stage a limit such as "15 calendar minutes" (emergency: a
dispatcher takes it), "2 calendar hours" (emergency: arrive)
or "5 working days" (routine repair). Working time follows the business calendar; calendar time
runs around the clock.
"""

from __future__ import annotations

import datetime as dt

from cityhall.core.calendar import WorkingCalendar

__all__ = ["due_time"]


def due_time(
    *, start: dt.datetime, amount: int, unit: str, calendar: WorkingCalendar
) -> dt.datetime:
    """When a stage that began at ``start`` with the limit ``amount unit`` falls due."""
    if amount < 0:
        raise ValueError("a limit cannot be negative")
    if start.tzinfo is None:
        raise ValueError("a time-zone-aware start is required")
    if unit == "calendar_minutes":
        return start + dt.timedelta(minutes=amount)
    if unit == "calendar_hours":
        return start + dt.timedelta(hours=amount)
    if unit == "calendar_days":
        return start + dt.timedelta(days=amount)
    if unit == "working_hours":
        return calendar.add_working_hours(start, amount)
    if unit == "working_days":
        # The stage ends at the close of the N-th working day after the start day.
        local = start.astimezone(calendar.tz)
        day = calendar.add_working_days(local.date(), amount)
        return calendar.end_of_working_day(day)
    raise ValueError(f"unknown limit unit {unit!r}")
