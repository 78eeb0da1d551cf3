"""The republic's own days off (issue 16.23a): Tatarstan's Uraza Bayram, Kurban Bayram, Republic
Day and Constitution Day ship as data, ``cityhall load_regional_days`` (and the demo) put them
into the business calendar so terms skip them, officials' corrections win, and administrators
are warned on the staff workspace in December when next year's dates are missing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command

from cityhall.core import demo
from cityhall.core.models import CalendarDay
from cityhall.core.selectors import (
    business_calendar,
    forget_business_calendar,
    missing_regional_year,
)
from cityhall.core.services import set_calendar_day
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CONSTITUTION_DAY = dt.date(2026, 11, 6)  # a Friday
KURBAN_BAYRAM = dt.date(2026, 5, 27)  # a Wednesday


@pytest.fixture(autouse=True)
def _fresh_calendar():
    forget_business_calendar()
    yield
    forget_business_calendar()


def test_terms_skip_tatarstan_days_off_once_loaded():
    calendar = business_calendar()
    assert calendar.add_working_days(dt.date(2026, 11, 5), 1) == CONSTITUTION_DAY  # the defect
    out = io.StringIO()
    call_command("load_regional_days", stdout=out)
    assert "RU-TA: 8 day(s) off added" in out.getvalue()
    calendar = business_calendar()
    assert not calendar.is_working_day(CONSTITUTION_DAY)
    assert not calendar.is_working_day(KURBAN_BAYRAM)
    assert not calendar.is_working_day(dt.date(2026, 3, 20))  # Uraza Bayram
    assert calendar.add_working_days(dt.date(2026, 11, 5), 1) == dt.date(2026, 11, 9)
    assert set(CalendarDay.objects.values_list("region", flat=True)) == {"RU-TA"}


def test_an_officials_correction_wins_and_loading_twice_changes_nothing():
    set_calendar_day(actor=None, date=KURBAN_BAYRAM, is_working=True, name="перенесён указом")
    call_command("load_regional_days", stdout=io.StringIO())
    call_command("load_regional_days", stdout=io.StringIO())
    assert CalendarDay.objects.count() == 8
    assert CalendarDay.objects.get(date=KURBAN_BAYRAM).is_working
    assert business_calendar().is_working_day(KURBAN_BAYRAM)


def test_the_demo_loads_the_regional_days():
    demo.load(io.StringIO())
    assert CalendarDay.objects.filter(region="RU-TA", date__year=2027).count() == 4


def test_administrators_are_warned_in_december_when_next_years_dates_are_missing(client, settings):
    settings.STAFF_REQUIRE_OTP = False  # the second factor is tested in accounts
    admin = MembershipFactory(role="administrator").user
    operator = MembershipFactory(role="operator").user
    call_command("load_regional_days", "--year", "2026", stdout=io.StringIO())

    def workspace(user) -> str:
        client.force_login(user)
        client.cookies["django_language"] = "en"
        answer = client.get("/staff/")
        assert answer.status_code == 200, answer.get("Location")
        return answer.content.decode()

    assert missing_regional_year(dt.date(2026, 11, 30)) is None  # only December warns
    with time_machine.travel(dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC), tick=False):
        page = workspace(admin)
        assert 'id="calendar-warning"' in page and "2027" in page
        assert 'id="calendar-warning"' not in workspace(operator)
        call_command("load_regional_days", "--year", "2027", stdout=io.StringIO())
        assert 'id="calendar-warning"' not in workspace(admin)
