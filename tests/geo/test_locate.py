"""Which district and suburb a point is in: inside, outside, on a border, and always fresh."""

from __future__ import annotations

import random
import time

import pytest
from django.db import transaction
from django.utils import timezone

from cityhall.geo import selectors, services
from cityhall.geo.demo import build_city
from cityhall.geo.models import District

from .factories import box, make_city

pytestmark = pytest.mark.django_db


def test_a_point_inside_a_district_and_suburb(city):
    where = selectors.locate(55.82, 49.05)
    assert (where.district, where.suburb) == (city.west, city.west_north)
    assert where.inside_city
    assert selectors.locate(55.77, 49.05).suburb == city.west_south


def test_a_district_without_suburbs_gives_no_suburb(city):
    where = selectors.locate(55.8, 49.15)
    assert (where.district, where.suburb) == (city.east, None)


@pytest.mark.parametrize(("lat", "lon"), [(55.9, 49.1), (55.8, 48.9), (0, 0), (-89.9, 179.9)])
def test_a_point_outside_the_city(city, lat, lon):
    where = selectors.locate(lat, lon)
    assert (where.district, where.suburb, where.inside_city) == (None, None, False)
    assert not selectors.is_inside_city(lat, lon)
    assert selectors.district_for_point(lat, lon) is None


def test_points_on_borders_are_inside(city):
    # the city's outer edge and corner
    assert selectors.locate(55.85, 49.05).district == city.west
    assert selectors.locate(55.75, 49.2).district == city.east
    assert selectors.is_inside_city(55.75, 49.0)
    # the border shared by two districts goes to the first by code, every time
    assert selectors.locate(55.8, 49.1).district == city.east
    # the border shared by two suburbs
    assert selectors.locate(55.8, 49.05).suburb in (city.west_north, city.west_south)
    # a hair outside
    assert not selectors.is_inside_city(55.8500001, 49.05)


def test_the_answer_follows_a_changed_boundary(city):
    assert selectors.district_for_point(55.87, 49.05) is None
    services.save_area(
        actor=None,
        kind="district",
        code="west",
        name="Западный район",
        geometry=box(49.0, 55.75, 49.1, 55.9),
    )
    assert selectors.district_for_point(55.87, 49.05) == city.west


def test_a_rolled_back_change_is_never_served(city):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_area(
            actor=None,
            kind="district",
            code="north",
            name="Северный район",
            geometry=box(49.0, 55.85, 49.2, 55.9),
        )
        assert selectors.district_for_point(55.87, 49.1).code == "north"
        raise RuntimeError("changed my mind")
    assert selectors.district_for_point(55.87, 49.1) is None


def test_a_change_made_by_another_process_is_noticed(settled_city, settings):
    settings.GEO_AREA_RECHECK_SECONDS = 0
    assert selectors.locate(55.82, 49.05).district.name == "Западный район"
    # another process renames the district: no signal reaches this one
    District.objects.filter(code="west").update(name="Кировский район", updated_at=timezone.now())
    assert selectors.locate(55.82, 49.05).district.name == "Кировский район"


def test_lookups_after_warm_up_make_no_queries(settled_city, settings, django_assert_num_queries):
    settings.GEO_AREA_RECHECK_SECONDS = 60
    selectors.locate(55.82, 49.05)
    with django_assert_num_queries(0):
        for _ in range(50):
            assert selectors.locate(55.82, 49.05).district.code == "west"
            assert selectors.is_inside_city(55.8, 49.15)


def test_callers_get_their_own_copies(settled_city):
    first = selectors.locate(55.82, 49.05).district
    first.name = "changed by a caller"
    assert selectors.locate(55.82, 49.05).district.name == "Западный район"


def test_locate_takes_well_under_a_fifth_of_a_millisecond_in_a_seven_district_city(
    db, settings, django_capture_on_commit_callbacks
):
    settings.GEO_AREA_RECHECK_SECONDS = 60
    districts, suburbs, _buildings = build_city()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_geojson(actor=None, data=districts, kind="district")
        services.import_geojson(actor=None, data=suburbs, kind="suburb")
    rng = random.Random(7)
    points = [(rng.uniform(55.68, 55.9), rng.uniform(48.86, 49.3)) for _ in range(2000)]
    inside = sum(selectors.locate(lat, lon).inside_city for lat, lon in points)  # warm-up
    assert 0 < inside < len(points)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for lat, lon in points:
            selectors.locate(lat, lon)
        best = min(best, (time.perf_counter() - started) / len(points))
    assert best < 0.0002, f"{best * 1e6:.1f} µs per call"


@pytest.mark.django_db(transaction=True)
def test_after_a_rolled_back_change_lookups_are_free_again(settings, django_assert_num_queries):
    settings.GEO_AREA_RECHECK_SECONDS = 60
    make_city()  # committed
    with pytest.raises(RuntimeError), transaction.atomic():
        services.save_area(
            actor=None,
            kind="district",
            code="north",
            name="Северный район",
            geometry=box(49.0, 55.85, 49.2, 55.9),
        )
        raise RuntimeError("changed my mind")
    assert selectors.district_for_point(55.87, 49.1) is None
    with django_assert_num_queries(0):
        assert selectors.district_for_point(55.82, 49.05).code == "west"
