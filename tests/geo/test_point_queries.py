"""Nearest building to a point, point-in-territory and buildings inside a territory."""

from __future__ import annotations

import pytest

from cityhall.core.errors import InvalidInput
from cityhall.geo import selectors, services

from .factories import box

pytestmark = pytest.mark.django_db

METRE = 1 / 111_320  # of latitude

TRIANGLE = {
    "type": "Polygon",
    "coordinates": [[[49.0, 55.75], [49.2, 55.75], [49.0, 55.85], [49.0, 55.75]]],
}


def _building(house, lat, lon):
    return services.create_building(actor=None, street="ул. Баумана", house=house, lat=lat, lon=lon)


def test_the_building_at_a_point_is_the_nearest_within_the_radius(city):
    near = _building("5", 55.82, 49.05)
    _building("7", 55.82 + 100 * METRE, 49.05)
    assert selectors.building_for_point(55.82 + 40 * METRE, 49.05) == near
    assert selectors.building_for_point(55.82 - 70 * METRE, 49.05) is None
    assert selectors.building_for_point(55.82 - 70 * METRE, 49.05, max_distance_m=80) == near
    # between the two, closer to the second
    found = selectors.building_for_point(55.82 + 60 * METRE, 49.05)
    assert found.house == "7"
    assert found.district == city.west


def test_contains_is_point_in_polygon_with_the_border_included():
    assert selectors.contains(TRIANGLE, 55.76, 49.01)
    assert not selectors.contains(TRIANGLE, 55.84, 49.19)
    assert selectors.contains(TRIANGLE, 55.75, 49.1)  # on the edge
    multi = {
        "type": "MultiPolygon",
        "coordinates": [box(0, 0, 1, 1)["coordinates"], box(2, 2, 3, 3)["coordinates"]],
    }
    assert selectors.contains(multi, 2.5, 2.5)
    assert not selectors.contains(multi, 1.5, 1.5)


@pytest.mark.parametrize(
    "geometry", [None, {"type": "Point", "coordinates": [1, 2]}, {"type": "Polygon"}]
)
def test_contains_refuses_what_is_not_a_territory(geometry):
    with pytest.raises(InvalidInput) as caught:
        selectors.contains(geometry, 55.8, 49.1)
    assert "geometry" in caught.value.fields


def test_buildings_within_a_territory_use_one_query(city, django_assert_num_queries):
    inside = _building("1", 55.76, 49.01)
    _building("2", 55.84, 49.19)  # in the triangle's box, outside the triangle
    on_edge = _building("3", 55.75, 49.05)
    with django_assert_num_queries(1):
        found = selectors.buildings_within(TRIANGLE)
        assert [b.district.code for b in found] == ["west", "west"]
    assert {b.pk for b in found} == {inside.pk, on_edge.pk}
    assert sorted(selectors.building_ids_within(TRIANGLE)) == sorted([inside.pk, on_edge.pk])


def test_a_territory_with_a_hole_leaves_the_hole_out(city):
    ring = {
        "type": "Polygon",
        "coordinates": [
            box(49.0, 55.75, 49.1, 55.85)["coordinates"][0],
            box(49.04, 55.79, 49.06, 55.81)["coordinates"][0][::-1],
        ],
    }
    in_ring = _building("1", 55.76, 49.01)
    _building("2", 55.8, 49.05)  # in the hole
    assert [b.pk for b in selectors.buildings_within(ring)] == [in_ring.pk]
