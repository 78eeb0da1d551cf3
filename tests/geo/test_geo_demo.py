"""The demo city: seven districts tiling the city, 2–4 suburbs each, ~350 buildings in place."""

from __future__ import annotations

import io

import pytest
from shapely.geometry import Point, Polygon, shape
from shapely.ops import unary_union

from cityhall.core.models import AuditRecord
from cityhall.geo import demo
from cityhall.geo.addresses import normalise_address
from cityhall.geo.models import Building, District, Suburb

pytestmark = pytest.mark.django_db


def _counts():
    return (District.objects.count(), Suburb.objects.count(), Building.objects.count())


def test_loading_twice_gives_the_same_city():
    out = io.StringIO()
    assert demo.load(out) == []
    first = _counts()
    records = AuditRecord.objects.count()
    snapshot = list(
        Building.objects.order_by("id").values_list("address", "lat", "lon", "district")
    )
    demo.load(out)
    assert _counts() == first
    assert AuditRecord.objects.count() == records
    assert (
        list(Building.objects.order_by("id").values_list("address", "lat", "lon", "district"))
        == snapshot
    )
    assert "350 buildings" in out.getvalue()


def test_the_demo_city_is_plausible_and_every_building_is_in_its_district():
    demo.load(io.StringIO())
    districts = list(District.objects.order_by("code"))
    assert [d.name_en for d in districts] == [
        "Aviastroitelny District",
        "Kirovsky District",
        "Moskovsky District",
        "Novo-Savinovsky District",
        "Privolzhsky District",
        "Sovetsky District",
        "Vakhitovsky District",
    ]
    assert all(d.name.endswith("район") and d.name_tt.endswith("районы") for d in districts)
    shapes = {d.pk: shape(d.geometry) for d in districts}
    # the districts tile the city: no overlaps, no gaps
    outline = Polygon(demo.CITY_OUTLINE)
    union = unary_union(list(shapes.values()))
    assert abs(union.area - outline.area) / outline.area < 1e-4
    assert sum(s.area for s in shapes.values()) == pytest.approx(outline.area, rel=1e-4)
    assert outline.buffer(0.001).contains(union)
    # around Kazan
    assert union.centroid.distance(Point(49.12, 55.79)) < 0.1
    for district in districts:
        suburbs = list(district.suburbs.all())
        assert 2 <= len(suburbs) <= 4
        assert sum(shape(s.geometry).area for s in suburbs) == pytest.approx(
            shapes[district.pk].area, rel=1e-3
        )
        assert district.buildings.count() == demo.BUILDINGS_PER_DISTRICT

    # every building lies in its district and suburb
    districts = {d.pk: shape(d.geometry) for d in District.objects.all()}
    suburbs = {s.pk: shape(s.geometry) for s in Suburb.objects.all()}
    buildings = list(Building.objects.all())
    assert 300 <= len(buildings) <= 400
    for b in buildings:
        point = Point(b.lon, b.lat)
        assert districts[b.district_id].covers(point), b.address
        assert suburbs[b.suburb_id].covers(point), b.address
        assert b.address_normalised == normalise_address(b.address)
        assert b.floors and b.apartments and 1850 < b.year_built <= 2026
        assert b.cadastral_number.startswith("16:50:")
    assert len({b.cadastral_number for b in buildings}) == len(buildings)
    assert len({b.street for b in buildings}) >= 40
    assert Suburb.objects.filter(buildings__isnull=True).count() == 0


def test_the_demo_is_the_same_every_time():
    assert demo.build_city() == demo.build_city()
