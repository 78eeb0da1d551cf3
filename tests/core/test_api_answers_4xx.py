"""The API (and the pages beside it) answer bad input with a 4xx, never a 5xx (issue 12.2).

Each case here was found by a schemathesis run over /api/v1/openapi.json and is replayed
exactly as found; the bounded schemathesis run itself is tests/core/test_api_schemathesis.py.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from cityhall.accounts.tokens import create_api_token
from cityhall.service_requests import services as request_services
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import OrganisationFactory, UserFactory
from tests.service_requests.factories import make_world, submit

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {create_api_token(user=user, name='t')}"}


@pytest.fixture
def world(settings):
    settings.STAFF_REQUIRE_OTP = False
    request_services.forget_catalogue()
    yield make_world()
    request_services.forget_catalogue()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/discussions/?document_type={HUGE}",
        f"/api/v1/discussions/?document_type=-{HUGE}",
        f"/api/v1/discussions/?limit={HUGE}&offset={HUGE}",
        f"/api/v1/requests/{HUGE}",
        f"/api/v1/requests/{HUGE}/history",
        f"/api/v1/geo/buildings/{HUGE}",
        f"/requests/?district={HUGE}",
        f"/requests/?page={HUGE}",
        f"/discussions/?document_type={HUGE}",
        f"/discussions/{HUGE}/",
        "/api/v1/discussions/?q=%00",
        "/requests/?q=%00&district=%00",
    ],
)
def test_numbers_out_of_range_and_nul_in_a_query_are_not_a_server_error(client, world, url):
    response = client.get(url)
    assert response.status_code < 500, (url, response.status_code)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/applications?offset=-1",
        "/api/v1/applications?limit=-5",
        f"/api/v1/applications?offset={HUGE}",
        f"/api/v1/notifications/?page={HUGE}",
        "/api/v1/notifications/?page=-1",
    ],
)
def test_paging_out_of_range_is_not_a_server_error(client, url):
    response = client.get(url, headers=bearer(UserFactory()))
    assert response.status_code < 500, (url, response.status_code)


def test_a_transition_to_nothing_is_refused_and_strangers_learn_nothing(client, world):
    request = submit(world)
    stranger = UserFactory()
    for body in ({"to": ""}, {"to": "bogus"}, {"to": "done"}, {"to": "new", "version": 99}):
        response = client.post(
            f"/api/v1/requests/{request.pk}/transition",
            body,
            content_type="application/json",
            headers=bearer(stranger),
        )
        assert response.status_code == 403, (body, response.content)
        assert request.get_status_display() not in response.json()["detail"]
    response = client.post(
        f"/api/v1/requests/{request.pk}/transition",
        {"to": ""},
        content_type="application/json",
        headers=bearer(world.dispatcher),
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"to": ["Unknown status."]}


@pytest.mark.parametrize("bad", ["\ud800", "a\udfffb", "\x00", "a\x00b", "\x01\x1b[31m"])
def test_awkward_text_in_json_is_cleaned_not_a_server_error(client, world, bad):
    request = submit(world)
    response = client.post(
        f"/api/v1/requests/{request.pk}/comments",
        {"text": f"Still dripping {bad}"},
        content_type="application/json",
        headers=bearer(world.resident),
    )
    assert response.status_code == 201, response.content
    stored = request.comments.get().text
    assert "\x00" not in stored and "\x01" not in stored and "\ud800" not in stored
    response = client.post(
        "/api/v1/support/tickets",
        {"topic": "technical", "message": f"It crashes {bad}"},
        content_type="application/json",
        headers=bearer(world.resident),
    )
    assert response.status_code in (201, 202), response.content


def test_nul_and_controls_in_an_open311_form_are_cleaned_and_xml_stays_well_formed(client, world):
    _client, key = request_services.create_open311_client(name="City app", actor=None)
    response = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": key,
            "service_code": "leak",
            "lat": "55.78001",
            "long": "49.05001",
            "description": "Roof\x00 leaks\x01 \x0b badly",
            "first_name": "An\x00na",
        },
    )
    assert response.status_code == 200, response.content
    ET.fromstring(response.content)
    listing = client.get("/open311/v2/requests.xml")
    assert listing.status_code == 200
    root = ET.fromstring(listing.content)  # well-formed: no control characters in the XML
    assert "Roof leaks  badly" in [r.findtext("description") for r in root]


def test_a_proposal_with_a_control_character_does_not_break_the_feed(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    from tests.geo.factories import BuildingFactory, make_city

    city = make_city()
    home = BuildingFactory(street="ул. Западная", house="1", lat=55.78, lon=49.05)
    discussion = DiscussionFactory(
        organiser=OrganisationFactory(council=True, name="Городская Дума"), districts=[city.west]
    )
    person = verified_person(home)
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Сохранить a\u0001b сквер"},
        content_type="application/json",
        headers=bearer(person),
    )
    assert response.status_code in (201, 202), response.content
    client.force_login(person)
    form = client.post(
        f"/discussions/{discussion.pk}/propose/", {"kind": "question", "text": "Когда\x01 метро?"}
    )
    assert form.status_code == 302, form.content[:300]
    feed = client.get(f"/discussions/{discussion.pk}/feed/")
    assert feed.status_code == 200
    ET.fromstring(feed.content)
    assert "Сохранить ab сквер" in feed.content.decode()


def test_anonymous_and_bad_token_posts_get_401_not_a_csrf_refusal(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    body = json.dumps({"category": "leak", "description": "x", "lat": 55.78, "lon": 49.05})
    anonymous = client.post("/api/v1/requests/", body, content_type="application/json")
    assert anonymous.status_code == 401, anonymous.content
    assert anonymous.json()["code"] == "unauthorized"
    bad = client.post(
        "/api/v1/requests/",
        body,
        content_type="application/json",
        headers={"Authorization": "Bearer nonsense"},
    )
    assert bad.status_code == 401, bad.content


def test_every_schema_has_its_own_name_and_errors_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    resident_request = schema["paths"]["/api/v1/requests/{request_id}"]["get"]
    ref = resident_request["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert "category" in fields and "organisation" in fields  # the resident request's own
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if operation.get("security"):
                assert {"401", "403"} <= codes, (method, path)
            if method in ("post", "put", "patch"):
                assert "422" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            for code in codes - {"200", "201", "202", "204"}:
                content = operation["responses"][code].get("content", {})
                assert content["application/json"]["schema"]["$ref"].endswith("/Error")
