"""Issue 14/15: the service designer offers fields answered on the map — "place on the map (a
point)" and "area drawn on the map" — and an applicant answers the published form's point and
area."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from cityhall.municipal_services.area_field import AREA_PROPERTY
from cityhall.municipal_services.models import Application, ServiceVersion
from cityhall.municipal_services.place_field import POINT_PROPERTY
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.geo.factories import BuildingFactory, make_city

from .designer_steps import BASE, build_office_permit, land_registry, ok, revision, texts
from .factories import Department

pytestmark = pytest.mark.django_db

PLOT = {
    "type": "Polygon",
    "coordinates": [[[49.05, 55.78], [49.051, 55.78], [49.051, 55.7805], [49.05, 55.78]]],
}


def test_an_administrator_adds_map_fields_and_the_applicant_answers_them(client):
    make_city()
    building = BuildingFactory(street="ул. Баумана", house="5", lat=55.78, lon=49.05)
    dept = Department()
    admin = MembershipFactory(organisation=dept.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    client.force_login(admin)
    service = build_office_permit(client, dept.org)
    v = f"{BASE}/{service.code}/v1"
    kinds = client.get(f"{v}/fields/").content.decode()
    assert '<option value="point">Place on the map (a point)</option>' in kinds
    assert '<option value="area">Area drawn on the map</option>' in kinds
    for kind, label in (("point", ("Место", "Урын", "Site")), ("area", ("Участок", "Җир", "Plot"))):
        posted = {"kind": kind, "required": "on", **texts("label", *label)}
        ok(client.post(f"{v}/fields/", {"revision": revision(client, f"{v}/fields/"), **posted}))
    version = service.versions.get()
    assert version.form_schema["properties"]["site"] == POINT_PROPERTY
    assert version.form_schema["properties"]["plot"] == AREA_PROPERTY
    assert version.ui["fields"]["site"]["widget"] == "point"
    assert version.ui["fields"]["plot"]["widget"] == "area"
    listed = client.get(f"{v}/fields/").content.decode()
    assert "Place on the map (a point)" in listed and "Area drawn on the map" in listed
    ok(client.post(f"{v}/publish/", {"revision": version.revision}))
    version.refresh_from_db()
    assert version.status == ServiceVersion.Status.PUBLISHED

    applicant = UserFactory(email_confirmed_at=timezone.now())
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    application = Application.objects.get(service=service)
    form = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert 'name="site.address"' in form and '<textarea id="f-plot" name="plot"' in form
    answers = {
        "applicant": "ООО Ромашка",
        "purpose": "office",
        "area": "120",
        "site.address": "Баумана 5",
        "plot": json.dumps(PLOT),
    }
    client.post(f"/services/applications/{application.pk}/edit/", answers)
    application.refresh_from_db()
    assert application.answers["site"]["building"] == building.pk
    assert application.answers["plot"] == PLOT
