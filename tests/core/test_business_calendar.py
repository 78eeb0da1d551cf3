"""Working days and hours: Russian holidays and transfers, officials' overrides, pure maths."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhall.core.calendar import WorkingCalendar
from cityhall.core.models import AuditRecord
from cityhall.core.selectors import business_calendar
from cityhall.core.services import clear_calendar_day, set_calendar_day
from tests.factories import UserFactory

MSK = ZoneInfo("Europe/Moscow")
PLAIN = WorkingCalendar()


def at(y, m, d, h=0, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=MSK)


@pytest.mark.django_db
def test_russian_holidays_and_transfers_come_from_the_library():
    cal = business_calendar()
    assert not cal.is_working_day(dt.date(2025, 1, 7))  # Christmas
    assert not cal.is_working_day(dt.date(2025, 5, 2))  # day off transferred from 4 January
    assert not cal.is_working_day(dt.date(2025, 12, 31))  # transferred from 5 January
    assert cal.is_working_day(dt.date(2025, 11, 1))  # a working Saturday
    assert cal.is_working_day(dt.date(2025, 12, 30))


@pytest.mark.django_db
def test_twenty_working_days_across_the_new_year():
    cal = business_calendar()
    # Submitted on Friday 26 Dec 2025; 31 Dec and 1–9 Jan 2026 are days off.
    due = cal.add_working_days(dt.date(2025, 12, 26), 20)
    assert due == dt.date(2026, 2, 4)
    assert cal.working_days_between(dt.date(2025, 12, 26), due) == 20


@pytest.mark.django_db
def test_official_override_wins_and_is_audited():
    official = UserFactory(staff=True)
    republic_day = dt.date(2026, 8, 31)  # a Monday; Tatarstan's Republic Day moved by decree
    assert business_calendar().is_working_day(republic_day)
    set_calendar_day(actor=official, date=republic_day, is_working=False, name="Republic Day")
    assert not business_calendar().is_working_day(republic_day)
    rec = AuditRecord.objects.get(action="calendar.day_set")
    assert rec.actor_id == official.pk and rec.after["is_working"] is False
    clear_calendar_day(actor=official, date=republic_day)
    assert business_calendar().is_working_day(republic_day)


def test_working_hours_skip_nights_and_weekends():
    friday_evening = at(2026, 11, 20, 16, 0)
    assert PLAIN.add_working_hours(friday_evening, 4) == at(2026, 11, 23, 11, 0)
    assert PLAIN.add_working_hours(at(2026, 11, 21, 3, 0), 2) == at(2026, 11, 23, 11, 0)
    assert PLAIN.add_working_hours(at(2026, 11, 23, 20, 0), 0) == at(2026, 11, 24, 9, 0)
    assert PLAIN.working_time_between(friday_evening, at(2026, 11, 23, 11, 0)) == dt.timedelta(
        hours=4
    )


def test_datetimes_keep_their_wall_clock_time():
    start = at(2026, 11, 20, 14, 30)  # Friday
    assert PLAIN.add_working_days(start, 1) == at(2026, 11, 23, 14, 30)
    assert PLAIN.add_working_days(dt.date(2026, 11, 21), 0) == dt.date(2026, 11, 23)


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        PLAIN.add_working_days(dt.date(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        PLAIN.add_working_hours(dt.datetime(2026, 1, 1, 10), 1)  # naive
    with pytest.raises(ValueError):
        WorkingCalendar(day_start=dt.time(18), day_end=dt.time(9))


moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2028, 12, 31), timezones=st.just(MSK)
)
days_off = st.frozensets(
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2029, 6, 1)), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(start=moments, hours=st.integers(min_value=0, max_value=200), off=days_off)
def test_adding_hours_then_measuring_gives_the_hours_back(start, hours, off):
    cal = WorkingCalendar(days_off=off)
    due = cal.add_working_hours(start, hours)
    assert due >= start
    assert cal.working_time_between(start, due) == dt.timedelta(hours=hours)
    if hours:
        local = due.astimezone(MSK)
        assert cal.is_working_day(local.date())
        assert cal.day_start < local.time() <= cal.day_end


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 12, 31)),
    days=st.integers(min_value=0, max_value=120),
    off=days_off,
)
def test_adding_days_lands_on_a_working_day_and_counts_back(start, days, off):
    cal = WorkingCalendar(days_off=off)
    due = cal.add_working_days(start, days)
    assert cal.is_working_day(due)
    assert due >= start
    expected = days if days else (0 if due == start else 1)
    assert cal.working_days_between(start, due) == expected


@settings(max_examples=100, deadline=None)
@given(a=moments, b=moments, c=moments)
def test_working_time_is_additive(a, b, c):
    a, b, c = sorted([a, b, c])
    total = PLAIN.working_time_between(a, c)
    assert total == PLAIN.working_time_between(a, b) + PLAIN.working_time_between(b, c)
    assert PLAIN.working_time_between(c, a) == -total
