"""The nearest building to a point comes from an in-process index of building points: a change
made here is seen at once, one made by another process after the recheck interval, and a
building that moved away is never returned."""

from __future__ import annotations

from django.utils import timezone

from cityhall.geo import selectors, services
from cityhall.geo.models import Building

METRE = 1 / 111_320  # of latitude


def _building(house, lat, lon):
    return services.create_building(
        actor=None, street="ул. Кремлёвская", house=house, lat=lat, lon=lon
    )


def test_a_new_moved_or_deleted_building_is_seen_at_once(settled_city):
    assert selectors.building_for_point(55.82, 49.05) is None
    building = _building("1", 55.82, 49.05)
    assert selectors.building_for_point(55.82, 49.05) == building

    services.update_building(actor=None, building=building, lat=55.77, lon=49.05)
    assert selectors.building_for_point(55.82, 49.05) is None
    moved = selectors.building_for_point(55.77 + 20 * METRE, 49.05)
    assert moved == building
    assert (moved.district, moved.suburb) == (settled_city.west, settled_city.west_south)

    services.delete_building(actor=None, building=building)
    assert selectors.building_for_point(55.77, 49.05) is None


def test_a_move_by_another_process_is_noticed_and_never_misplaces(
    settled_city, settings, django_capture_on_commit_callbacks
):
    settings.GEO_BUILDING_RECHECK_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        building = _building("2", 55.82, 49.05)
    assert selectors.building_for_point(55.82, 49.05) == building
    # another process moves it: no signal reaches this one
    Building.objects.filter(pk=building.pk).update(lat=55.83, updated_at=timezone.now())
    # the index still has the old point, but the row read by id says it is not there any more
    assert selectors.building_for_point(55.82, 49.05) is None
    settings.GEO_BUILDING_RECHECK_SECONDS = 0
    assert selectors.building_for_point(55.83, 49.05) == building


def test_after_warm_up_a_lookup_is_one_query_with_its_district_and_suburb(
    settled_city, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.GEO_BUILDING_RECHECK_SECONDS = 60
    settings.GEO_AREA_RECHECK_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        near = _building("3", 55.81, 49.05)
        _building("4", 55.81 + 100 * METRE, 49.05)
        _building("5", 55.81, 49.15)
    selectors.building_for_point(55.81, 49.05)
    with django_assert_num_queries(1):
        found = selectors.building_for_point(55.81 + 30 * METRE, 49.05)
        assert found == near
        assert found.district.code == "west" and found.suburb.code == "west-north"
    east = selectors.building_for_point(55.81, 49.15 + 0.0003)
    assert east.district.code == "east" and east.suburb is None
    # callers get their own copies of the areas
    found.district.name = "changed by a caller"
    assert selectors.building_for_point(55.81, 49.05).district.name == "Западный район"
