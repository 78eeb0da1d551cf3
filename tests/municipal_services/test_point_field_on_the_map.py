"""Issue 14: a service form's "point" field is answered on the map — with a no-JavaScript
fallback by the address or the coordinates typed — stored, refused outside the city, and
shown on the case with its map."""

from __future__ import annotations

import copy
import json

import pytest
from django.utils import timezone

from cityhall.municipal_services.models import Application
from tests.factories import UserFactory
from tests.geo.factories import BuildingFactory, make_city

from .factories import BASE_DEFINITION, Department, published_service, texts

pytestmark = pytest.mark.django_db

SITE = {
    "type": "object",
    "properties": {
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "address": {"type": "string", "maxLength": 300},
        "building": {"type": "integer"},
    },
    "required": ["lat", "lon"],
}


@pytest.fixture
def setup(client):
    make_city()
    building = BuildingFactory(street="ул. Баумана", house="5", lat=55.78, lon=49.05)
    schema = copy.deepcopy(BASE_DEFINITION["form_schema"])
    schema["properties"]["site"] = SITE
    ui = copy.deepcopy(BASE_DEFINITION["ui"])
    ui["order"].append("site")
    ui["fields"]["site"] = {"label": texts("Участок", "Site"), "widget": "point"}
    service = published_service(Department(), form_schema=schema, ui=ui)
    applicant = UserFactory(email_confirmed_at=timezone.now())
    client.force_login(applicant)
    client.post(f"/services/{service.code}/apply/")
    return Application.objects.get(service=service), building


def _edit(client, application, **fields):
    data = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": "50", **fields}
    return client.post(f"/services/applications/{application.pk}/edit/", data)


def test_the_point_field_is_a_map_with_the_address_and_coordinates_beside_it(client, setup):
    application, _ = setup
    html = client.get(f"/services/applications/{application.pk}/edit/").content.decode()
    assert "<legend>Site</legend>" in html
    assert 'name="site.address"' in html and 'name="site.lat"' in html
    assert 'id="f-site-map"' in html and "municipal_services/place-field.js" in html
    config = html.split('id="f-site-map-config"', 1)[1].split(">", 1)[1].split("</script>")[0]
    assert json.loads(config)["pick"] is True


def test_without_javascript_the_address_answers_the_point(client, setup):
    application, building = setup
    _edit(client, application, **{"site.address": "Баумана 5"})
    application.refresh_from_db()
    assert application.answers["site"] == {
        "lat": 55.78,
        "lon": 49.05,
        "address": building.address,
        "building": building.pk,
    }


def test_typed_coordinates_are_stored_and_a_point_outside_the_city_is_refused(client, setup):
    application, _ = setup
    _edit(client, application, **{"site.lat": "55,79", "site.lon": "49.06"})
    application.refresh_from_db()
    assert application.answers["site"] == {"lat": 55.79, "lon": 49.06}

    refused = _edit(
        client, application, **{"site.lat": "55.5", "site.lon": "48.5"}, action="submit"
    )
    assert refused.status_code == 422
    assert "This point is outside the city. Choose a place inside it." in refused.content.decode()

    unknown = _edit(client, application, **{"site.address": "Несуществующая 99"}, action="submit")
    assert "This address is not in the city&#x27;s register" in unknown.content.decode()


def test_the_case_shows_the_place_in_words_and_on_its_map(client, setup):
    application, building = setup
    _edit(client, application, **{"site.address": "ул. Баумана, 5"})
    html = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert f"{building.address} (55.780000, 49.050000)" in html
    config = html.split('id="answers-map-config"', 1)[1].split(">", 1)[1].split("</script>")[0]
    assert json.loads(config)["pins"][0]["lat"] == 55.78
