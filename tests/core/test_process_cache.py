"""Per-process caches of table data: fresh after this process's edits, other processes' edits
seen within the recheck interval, rolled-back edits never served."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from cityhall.core.models import CalendarDay
from cityhall.core.process_cache import ProcessCache

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cache(settings):
    settings.TEST_CACHE_RECHECK = 3600  # other processes' edits only when asked to recheck
    builds = []

    def build(fingerprint):
        builds.append(fingerprint)
        return sorted(CalendarDay.objects.values_list("name", flat=True))

    made = ProcessCache(
        name="test-calendar-names",
        watched=(CalendarDay,),
        build=build,
        recheck_setting="TEST_CACHE_RECHECK",
    )
    made.connect_signals()
    made.builds = builds
    return made


def _day(name: str, day: int = 1) -> CalendarDay:
    return CalendarDay.objects.create(date=dt.date(2026, 3, day), is_working=False, name=name)


def test_value_is_reused_until_this_process_changes_a_row(cache):
    _day("first")
    assert cache.current() == ["first"]
    assert cache.current() == ["first"] and len(cache.builds) == 1
    _day("second", 2)  # post_save in this process
    assert cache.current() == ["first", "second"]


def test_other_processes_edits_are_seen_after_the_recheck_interval(cache, settings):
    _day("first")
    assert cache.current() == ["first"]
    with connection.cursor() as cursor:  # a write that sends no signal, like another process
        cursor.execute(
            "UPDATE core_calendarday SET name = 'renamed', updated_at = %s",
            [connection.ops.adapt_datetimefield_value(dt.datetime(2030, 1, 1, tzinfo=dt.UTC))],
        )
    assert cache.current() == ["first"]  # within the interval: the process's copy
    settings.TEST_CACHE_RECHECK = 0
    assert cache.current() == ["renamed"]


def test_a_rolled_back_edit_is_never_served(cache):
    _day("kept")
    assert cache.current() == ["kept"]
    with pytest.raises(RuntimeError), transaction.atomic():
        _day("rolled back", 2)
        assert cache.current() == ["kept", "rolled back"]  # this transaction sees its row
        raise RuntimeError
    assert cache.current() == ["kept"]
