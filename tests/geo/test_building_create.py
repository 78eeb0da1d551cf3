"""Adding, changing and removing buildings: placed by their point, one per address, audited."""

from __future__ import annotations

import pytest

from cityhall.core.errors import InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.geo import services
from cityhall.geo.models import Building
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_building_gets_its_district_and_suburb_from_its_point(city):
    official = UserFactory(staff=True)
    building = services.create_building(
        actor=official,
        street="ул. Баумана",
        house="д. 5А",
        lat=55.82,
        lon=49.05,
        cadastral_number="16:50:011105:123",
        floors=5,
        apartments=60,
        year_built=1958,
    )
    assert building.address == "ул. Баумана, д. 5А"
    assert building.house == "5А"
    assert building.address_normalised == "баумана 5а"
    assert (building.district, building.suburb) == (city.west, city.west_north)
    assert (building.floors, building.apartments, building.year_built) == (5, 60, 1958)
    record = AuditRecord.objects.get(action="geo.building_created")
    assert record.actor_id == official.pk
    assert record.object_id == str(building.pk)
    assert record.after["district"] == city.west.pk
    assert record.after["address"] == "ул. Баумана, д. 5А"


def test_a_building_in_a_district_without_suburbs_has_no_suburb(city):
    building = services.create_building(
        actor=None, street="ул. Ершова", house="1", lat=55.8, lon=49.15
    )
    assert building.district == city.east
    assert building.suburb is None


def test_a_point_outside_the_city_is_refused_on_location(city):
    with pytest.raises(InvalidInput) as caught:
        services.create_building(actor=None, street="ул. Баумана", house="5", lat=55.9, lon=49.05)
    assert list(caught.value.fields) == ["location"]
    assert Building.objects.count() == 0


def test_a_second_building_at_the_same_address_is_refused_however_spelled(city):
    services.create_building(actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05)
    with pytest.raises(InvalidInput) as caught:
        services.create_building(
            actor=None, street="улица  Баумана", house="дом 5", lat=55.81, lon=49.06
        )
    assert caught.value.code == "duplicate_address"
    assert "already exists" in caught.value.fields["house"][0]
    assert Building.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"street": "  "}, "street"),
        ({"street": "ул."}, "street"),
        ({"house": ""}, "house"),
        ({"house": "без номера"}, "house"),
        ({"cadastral_number": "16-50-011105-123"}, "cadastral_number"),
        ({"floors": 0}, "floors"),
        ({"floors": "много"}, "floors"),
        ({"apartments": -1}, "apartments"),
        ({"year_built": 3000}, "year_built"),
        ({"lat": 95}, "location"),
        ({"lat": "north"}, "location"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(city, changes, field):
    values = {"street": "ул. Баумана", "house": "5", "lat": 55.82, "lon": 49.05, **changes}
    with pytest.raises(InvalidInput) as caught:
        services.create_building(actor=None, **values)
    assert field in caught.value.fields
    assert not Building.objects.exists()
    assert not AuditRecord.objects.filter(action="geo.building_created").exists()


def test_unknown_attributes_are_a_programming_error(city):
    with pytest.raises(TypeError):
        services.create_building(
            actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05, colour="red"
        )


def test_moving_a_building_changes_its_district_and_is_audited(city):
    building = services.create_building(
        actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05
    )
    official = UserFactory(staff=True)
    services.update_building(actor=official, building=building, lat=55.8, lon=49.15, floors=9)
    building.refresh_from_db()
    assert (building.district, building.suburb, building.floors) == (city.east, None, 9)
    record = AuditRecord.objects.get(action="geo.building_updated")
    assert record.before["district"] == city.west.pk
    assert record.after["district"] == city.east.pk
    assert record.actor_id == official.pk


def test_saving_the_same_values_again_writes_nothing(city):
    building = services.create_building(
        actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05, floors=5
    )
    before = AuditRecord.objects.count()
    services.update_building(actor=None, building=building, house="д. 5", floors=5)
    assert AuditRecord.objects.count() == before


def test_renaming_onto_an_existing_address_is_refused(city):
    services.create_building(actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05)
    other = services.create_building(
        actor=None, street="ул. Баумана", house="7", lat=55.82, lon=49.06
    )
    with pytest.raises(InvalidInput) as caught:
        services.update_building(actor=None, building=other, house="5")
    assert caught.value.code == "duplicate_address"
    other.refresh_from_db()
    assert other.house == "7"


def test_removing_a_building_is_audited(city):
    building = services.create_building(
        actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05
    )
    services.delete_building(actor=None, building=building)
    assert not Building.objects.exists()
    record = AuditRecord.objects.get(action="geo.building_deleted")
    assert record.before["address"] == "ул. Баумана, д. 5"
