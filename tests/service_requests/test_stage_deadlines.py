"""Stage due times from the business calendar, per the category version's limits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from cityhall.core.calendar import WorkingCalendar
from cityhall.service_requests import services
from cityhall.service_requests.deadlines import due_time
from cityhall.service_requests.models import ServiceRequest, Stage

from .factories import submit

MSK = ZoneInfo("Europe/Moscow")
CAL = WorkingCalendar(tz=MSK)


def test_working_hours_skip_the_weekend():
    friday_evening = dt.datetime(2026, 3, 13, 17, 0, tzinfo=MSK)
    assert due_time(
        start=friday_evening, amount=4, unit="working_hours", calendar=CAL
    ) == dt.datetime(2026, 3, 16, 12, 0, tzinfo=MSK)


def test_working_days_end_at_the_close_of_the_last_day():
    friday = dt.datetime(2026, 3, 13, 10, 0, tzinfo=MSK)
    assert due_time(start=friday, amount=2, unit="working_days", calendar=CAL) == dt.datetime(
        2026, 3, 17, 18, 0, tzinfo=MSK
    )


def test_calendar_hours_run_around_the_clock():
    saturday_night = dt.datetime(2026, 3, 14, 23, 0, tzinfo=MSK)
    assert due_time(start=saturday_night, amount=2, unit="calendar_hours", calendar=CAL) == (
        saturday_night + dt.timedelta(hours=2)
    )


@given(
    start=st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1)),
    amount=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from(["working_hours", "working_days", "calendar_hours", "calendar_days"]),
)
def test_due_is_after_start_and_grows_with_the_limit(start, amount, unit):
    start = start.replace(tzinfo=MSK)
    due = due_time(start=start, amount=amount, unit=unit, calendar=CAL)
    longer = due_time(start=start, amount=amount + 1, unit=unit, calendar=CAL)
    assert start < due < longer


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        due_time(
            start=dt.datetime(2026, 1, 1, tzinfo=MSK), amount=1, unit="fortnights", calendar=CAL
        )


@time_machine.travel(dt.datetime(2026, 3, 13, 17, 0, tzinfo=MSK), tick=False)
def test_emergency_clock_runs_at_night_routine_waits_for_monday(world):
    routine = submit(world)
    emergency = submit(world, category=world.lift, attributes={"people_inside": "yes"})
    assert routine.stage_due_at == dt.datetime(2026, 3, 16, 18, 0, tzinfo=MSK)  # 1 working day
    assert emergency.stage_due_at == dt.datetime(2026, 3, 13, 18, 0, tzinfo=MSK)  # 1 hour


def test_open_requests_keep_the_version_they_started_on(world):
    before = submit(world)
    services.publish_category_version(
        category=world.leak,
        actor=None,
        limits={
            "routed": (10, "working_days"),
            "accepted": (10, "working_days"),
            "in_work": (10, "working_days"),
        },
    )
    after = submit(world)
    assert before.category_version.number == 1 and after.category_version.number == 2
    services.transition(request=before, actor=world.executor, to="accepted")
    services.transition(request=after, actor=world.executor, to="accepted")
    before_stage = Stage.objects.get(request=before, finished_at__isnull=True)
    after_stage = Stage.objects.get(request=after, finished_at__isnull=True)
    assert (after_stage.due_at - before_stage.due_at) > dt.timedelta(days=7)
    assert ServiceRequest.objects.get(pk=before.pk).category_version.number == 1
