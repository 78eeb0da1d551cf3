"""The admin checks with the services' rules and saves through the services (audited)."""

from __future__ import annotations

import json

import pytest

from cityhall.core.models import AuditRecord
from cityhall.geo import services
from cityhall.geo.models import Building, District
from tests.factories import UserFactory

from .factories import box

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    admin = UserFactory(staff=True, is_staff=True, is_superuser=True, username="admin")
    client.force_login(admin)
    client.admin = admin
    return client


def test_adding_a_district_in_the_admin_is_audited(admin_client):
    response = admin_client.post(
        "/admin/geo/district/add/",
        {
            "code": "vakhitovsky",
            "name": "Вахитовский район",
            "name_tt": "",
            "name_en": "Vakhitovsky District",
            "geometry": json.dumps(box(49.08, 55.77, 49.16, 55.81)),
        },
    )
    assert response.status_code == 302
    district = District.objects.get(code="vakhitovsky")
    assert district.bbox == (49.08, 55.77, 49.16, 55.81)
    record = AuditRecord.objects.get(action="geo.district_created")
    assert record.actor_id == admin_client.admin.pk


def test_an_invalid_boundary_is_shown_on_the_form(admin_client, city):
    response = admin_client.post(
        "/admin/geo/district/add/",
        {
            "code": "middle",
            "name": "Средний район",
            "geometry": json.dumps(box(49.05, 55.75, 49.15, 55.85)),
        },
    )
    assert response.status_code == 200
    assert "overlaps the district" in response.content.decode()
    assert not District.objects.filter(code="middle").exists()


def test_adding_and_changing_a_building_in_the_admin(admin_client, city):
    response = admin_client.post(
        "/admin/geo/building/add/",
        {"street": "ул. Баумана", "house": "5", "lat": "55.82", "lon": "49.05", "floors": "5"},
    )
    assert response.status_code == 302
    building = Building.objects.get()
    assert (building.address, building.district, building.suburb) == (
        "ул. Баумана, д. 5",
        city.west,
        city.west_north,
    )
    response = admin_client.post(
        f"/admin/geo/building/{building.pk}/change/",
        {"street": "ул. Баумана", "house": "5", "lat": "55.8", "lon": "49.15", "floors": "9"},
    )
    assert response.status_code == 302
    building.refresh_from_db()
    assert (building.district, building.floors) == (city.east, 9)
    actions = list(
        AuditRecord.objects.filter(object_type="geo.building").values_list("action", "actor_id")
    )
    assert actions == [
        ("geo.building_created", admin_client.admin.pk),
        ("geo.building_updated", admin_client.admin.pk),
    ]


def test_a_building_outside_the_city_or_at_a_taken_address_is_refused_in_the_admin(
    admin_client, city
):
    services.create_building(actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05)
    outside = admin_client.post(
        "/admin/geo/building/add/",
        {"street": "ул. Баумана", "house": "7", "lat": "56.5", "lon": "49.05"},
    )
    assert "outside the city" in outside.content.decode()
    taken = admin_client.post(
        "/admin/geo/building/add/",
        {"street": "улица Баумана", "house": "дом 5", "lat": "55.81", "lon": "49.05"},
    )
    assert "already exists" in taken.content.decode()
    assert Building.objects.count() == 1


def test_admin_search_understands_other_spellings(admin_client, city):
    services.create_building(actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05)
    services.create_building(actor=None, street="ул. Пушкина", house="5", lat=55.77, lon=49.05)
    html = admin_client.get("/admin/geo/building/", {"q": "улица Баумана, дом 5"}).content.decode()
    assert "ул. Баумана, д. 5" in html
    assert "ул. Пушкина" not in html


def test_deleting_a_building_in_the_admin_is_audited(admin_client, city):
    building = services.create_building(
        actor=None, street="ул. Баумана", house="5", lat=55.82, lon=49.05
    )
    response = admin_client.post(f"/admin/geo/building/{building.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Building.objects.exists()
    assert AuditRecord.objects.get(action="geo.building_deleted").actor_id == admin_client.admin.pk
