"""Districts and suburbs: valid boundaries only, no overlaps, suburbs inside their district."""

from __future__ import annotations

import pytest

from cityhall.core.errors import Conflict, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.geo import services
from cityhall.geo.models import District, Suburb
from tests.factories import UserFactory

from .factories import box

pytestmark = pytest.mark.django_db

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[49.0, 55.7], [49.1, 55.8], [49.1, 55.7], [49.0, 55.8], [49.0, 55.7]]],
}


def test_a_district_is_stored_with_its_bounding_box_and_audited():
    official = UserFactory(staff=True)
    district = services.save_area(
        actor=official,
        kind="district",
        code="vakhitovsky",
        name="Вахитовский район",
        name_tt="Вахитов районы",
        name_en="Vakhitovsky District",
        geometry=box(49.08, 55.77, 49.16, 55.81),
    )
    assert district.bbox == (49.08, 55.77, 49.16, 55.81)
    record = AuditRecord.objects.get(action="geo.district_created")
    assert record.actor_id == official.pk
    assert record.after["code"] == "vakhitovsky"
    assert len(record.after["geometry_sha256"]) == 64


def test_saving_the_same_area_again_changes_nothing(city):
    before = AuditRecord.objects.count()
    again = services.save_area(
        actor=None,
        kind="district",
        code="west",
        name="Западный район",
        name_tt=city.west.name_tt,
        name_en="West District",
        geometry=box(49.0, 55.75, 49.1, 55.85),
    )
    assert again.pk == city.west.pk
    assert AuditRecord.objects.count() == before


def test_changing_a_name_is_an_audited_update(city):
    services.save_area(
        actor=None,
        kind="district",
        code="west",
        name="Кировский район",
        geometry=city.west.geometry,
    )
    assert District.objects.get(code="west").name == "Кировский район"
    record = AuditRecord.objects.get(action="geo.district_updated")
    assert (record.before["name"], record.after["name"]) == ("Западный район", "Кировский район")


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        (BOWTIE, "not a valid polygon"),
        ({"type": "Point", "coordinates": [49.1, 55.8]}, "Polygon or a MultiPolygon"),
        ({"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.1]]]}, "malformed"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        (box(55.7, 149.0, 55.8, 149.1), "longitude"),  # latitude beyond 90°: swapped order
        ("POLYGON((0 0, 1 0, 1 1, 0 0))", "GeoJSON geometry object"),
    ],
)
def test_bad_boundaries_are_refused(geometry, words):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(actor=None, kind="district", code="d", name="Район", geometry=geometry)
    assert words in caught.value.fields["geometry"][0]
    assert not District.objects.exists()


def test_code_and_name_are_required():
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="district",
            code="не латиница",
            name="",
            geometry=box(49, 55, 49.1, 55.1),
        )
    assert set(caught.value.fields) == {"code", "name"}


def test_districts_may_not_overlap(city):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="district",
            code="middle",
            name="Средний район",
            geometry=box(49.05, 55.75, 49.15, 55.85),
        )
    assert "overlaps the district" in caught.value.fields["geometry"][0]


def test_a_neighbouring_district_sharing_a_border_is_fine(city):
    services.save_area(
        actor=None,
        kind="district",
        code="further-east",
        name="Дальний район",
        geometry=box(49.2, 55.75, 49.3, 55.85),
    )
    assert District.objects.count() == 3


def test_a_suburb_must_lie_inside_its_district(city):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="suburb",
            code="straddling",
            name="Пограничный",
            district="east",
            geometry=box(49.05, 55.76, 49.15, 55.78),
        )
    assert "inside its district" in caught.value.fields["geometry"][0]


def test_a_suburb_needs_an_existing_district(city):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="suburb",
            code="s",
            name="Посёлок",
            district="nowhere",
            geometry=box(49.11, 55.76, 49.12, 55.77),
        )
    assert "nowhere" in caught.value.fields["district"][0]


def test_suburbs_of_a_district_may_not_overlap(city):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="suburb",
            code="centre",
            name="Центральный",
            district=city.west,
            geometry=box(49.02, 55.78, 49.08, 55.82),
        )
    assert "overlaps the suburb" in caught.value.fields["geometry"][0]


def test_shrinking_a_district_may_not_leave_its_suburbs_outside(city):
    with pytest.raises(InvalidInput) as caught:
        services.save_area(
            actor=None,
            kind="district",
            code="west",
            name="Западный район",
            geometry=box(49.0, 55.75, 49.1, 55.8),
        )
    assert "Северный" in caught.value.fields["geometry"][0]


def test_moving_a_border_re_places_the_buildings_it_crosses(city):
    building = services.create_building(
        actor=None, street="ул. Ершова", house="1", lat=55.8, lon=49.12
    )
    assert building.district == city.east
    services.save_area(
        actor=None,
        kind="district",
        code="east",
        name="Восточный район",
        geometry=box(49.13, 55.75, 49.2, 55.85),
    )
    services.save_area(
        actor=None,
        kind="district",
        code="west",
        name="Западный район",
        geometry=box(49.0, 55.75, 49.13, 55.85),
    )
    building.refresh_from_db()
    assert building.district == city.west
    assert building.suburb is None  # the suburbs still end at 49.10
    moved = AuditRecord.objects.filter(action="geo.building_relocated", object_id=str(building.pk))
    assert [r.after["district"] for r in moved] == [None, city.west.pk]


def test_an_area_in_use_cannot_be_removed(city):
    with pytest.raises(Conflict):
        services.delete_area(actor=None, area=city.west)
    services.delete_area(actor=None, area=city.west_north)
    assert not Suburb.objects.filter(code="west-north").exists()
    assert AuditRecord.objects.filter(action="geo.suburb_deleted").count() == 1
