"""The business calendar: working days and hours, pure and typed (no ORM, time is an input).

Legal terms ("within 20 working days", "24 working hours") are computed here and nowhere else.
Which days are off comes from the holiday library (Russian public holidays and the government's
day-off transfers, including working Saturdays) plus officials' overrides; see
:func:`cityhall.core.selectors.business_calendar` for the instance built from the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

__all__ = ["WorkingCalendar"]


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days are Monday–Friday, minus ``days_off``, plus ``extra_working_days``.

    Working hours are ``[day_start, day_end)`` in ``tz`` on every working day.
    """

    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    extra_working_days: frozenset[dt.date] = field(default_factory=frozenset)
    day_start: dt.time = dt.time(9, 0)
    day_end: dt.time = dt.time(18, 0)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Moscow"))

    def __post_init__(self) -> None:
        if self.day_end <= self.day_start:
            raise ValueError("the working day must end after it starts")

    # --- days ---------------------------------------------------------------------------------
    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        day += dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date | dt.datetime, days: int) -> dt.date | dt.datetime:
        """The ``days``-th working day after ``start`` (the start day itself is not counted).

        ``days == 0`` gives ``start`` if it is a working day, else the next working day. A
        ``datetime`` keeps its wall-clock time and time zone; a ``date`` gives a ``date``.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        if isinstance(start, dt.datetime):
            local = self._local(start)
            day = self._add_days(local.date(), days)
            return dt.datetime.combine(day, local.timetz()).astimezone(start.tzinfo)
        return self._add_days(start, days)

    def _add_days(self, day: dt.date, days: int) -> dt.date:
        if days == 0:
            return day if self.is_working_day(day) else self.next_working_day(day)
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def end_of_working_day(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, self.day_end, tzinfo=self.tz)

    # --- hours --------------------------------------------------------------------------------
    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("a time-zone-aware datetime is required")
        return moment.astimezone(self.tz)

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.day_start, tzinfo=self.tz),
            dt.datetime.combine(day, self.day_end, tzinfo=self.tz),
        )

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        """The moment when ``hours`` of working time have passed since ``start``.

        Time outside working hours does not count: a request filed on Friday evening with a
        4-hour term is due on Monday at 13:00.
        """
        if hours < 0:
            raise ValueError("hours must not be negative")
        remaining = dt.timedelta(hours=hours)
        moment = self._local(start)
        day = moment.date()
        while True:
            if self.is_working_day(day):
                open_, close = self._window(day)
                begin = max(moment, open_)
                if begin < close:
                    available = close - begin
                    if remaining <= available:
                        if remaining == dt.timedelta(0):
                            return begin
                        return begin + remaining
                    remaining -= available
            day = self.next_working_day(day)
            moment = self._window(day)[0]

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time inside ``[start, end)``; negative when ``end`` is before ``start``."""
        a, b = self._local(start), self._local(end)
        if b < a:
            return -self.working_time_between(end, start)
        total = dt.timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.is_working_day(day):
                open_, close = self._window(day)
                lo, hi = max(a, open_), min(b, close)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total
