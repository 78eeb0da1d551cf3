"""Open311 GeoReport v2: services, definitions, POST with api_key, tokens, search, errors."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from cityhall.service_requests import services
from cityhall.service_requests.models import Channel, Open311Client, ServiceRequest

from .factories import photo, submit


@pytest.fixture
def api_key(world):
    _client, key = services.create_open311_client(name="City app", actor=None)
    return key


def test_services_list_json_and_xml(client, world):
    data = client.get("/open311/v2/services.json").json()
    codes = {s["service_code"] for s in data}
    assert codes == {"leak", "heating", "lift"}
    lift = next(s for s in data if s["service_code"] == "lift")
    assert lift["metadata"] is True and lift["type"] == "realtime"
    xml = ET.fromstring(client.get("/open311/v2/services.xml").content)
    assert xml.tag == "services"
    assert {s.findtext("service_code") for s in xml.findall("service")} == codes


def test_service_definition_has_attributes(client, world):
    data = client.get("/open311/v2/services/lift.json").json()
    attribute = data["attributes"][0]
    assert attribute["code"] == "people_inside" and attribute["required"] is True
    assert attribute["values"] == [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]
    xml = ET.fromstring(client.get("/open311/v2/services/lift.xml").content)
    assert xml.find("attributes/attribute/values/value/key").text == "yes"
    missing = client.get("/open311/v2/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_post_with_point_creates_routes_and_answers_after_commit(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "leak",
            "lat": "55.78001",
            "long": "49.05001",
            "description": "Roof leaks",
            "email": "app-user@example.org",
            "first_name": "Anna",
            "media": photo(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()[0]
    request = ServiceRequest.objects.get(number=body["service_request_id"])
    assert request.channel == Channel.OPEN311
    assert request.open311_client.name == "City app"
    assert request.organisation == world.manager
    assert request.photos.count() == 1
    assert body["service_notice"]
    one = client.get(f"/open311/v2/requests/{request.number}.json").json()[0]
    assert one["status"] == "open" and one["agency_responsible"] == "UK Baumana"
    assert "app-user@example.org" not in json.dumps(one)


def test_post_with_address_string_in_xml(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.xml",
        {
            "api_key": api_key,
            "service_code": "heating",
            "address_string": "Баумана 7",
            "description": "Cold radiators",
        },
    )
    assert response.status_code == 200
    number = ET.fromstring(response.content).findtext("request/service_request_id")
    assert ServiceRequest.objects.get(number=number).organisation == world.supplier


@pytest.mark.parametrize(
    ("params", "status", "text"),
    [
        ({"api_key": "wrong"}, 403, "api_key"),
        ({"service_code": "teleport"}, 400, "category"),
        ({"lat": "59.93", "long": "30.31"}, 400, "outside the city"),
        ({"lat": "", "long": ""}, 400, "lat/long or address_string is required"),
        ({"description": ""}, 400, "description"),
        ({"service_code": "lift"}, 400, "attribute[people_inside]"),
        ({"address_string": "Nowhere street 999", "lat": "", "long": ""}, 400, "address"),
    ],
)
def test_bad_posts_get_the_spec_error_list_and_create_nothing(
    client, world, api_key, params, status, text
):
    data = {
        "api_key": api_key,
        "service_code": "leak",
        "lat": "55.78",
        "long": "49.05",
        "description": "Leak",
    }
    data.update(params)
    response = client.post("/open311/v2/requests.json", data)
    assert response.status_code == status
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["code"] == status
    assert any(text in e["description"] for e in errors), errors
    assert not ServiceRequest.objects.exists()


def test_non_image_media_is_refused(client, world, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "leak",
            "lat": "55.78",
            "long": "49.05",
            "description": "Leak",
            "media": SimpleUploadedFile("x.jpg", b"%PDF-1.4"),
        },
    )
    assert response.status_code == 400
    assert "x.jpg is not a file of an accepted type" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_search_filters(client, world):
    leak = submit(world)
    heating = submit(world, category=world.heating)
    closed = submit(world)
    services.transition(request=closed, actor=world.dispatcher, to="rejected", reason="spam")
    data = client.get("/open311/v2/requests.json", {"service_code": "heating"}).json()
    assert [r["service_request_id"] for r in data] == [heating.number]
    data = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in data] == [closed.number]
    ids = f"{leak.number},{heating.number}"
    data = client.get("/open311/v2/requests.json", {"service_request_id": ids}).json()
    assert {r["service_request_id"] for r in data} == {leak.number, heating.number}
    data = client.get("/open311/v2/requests.json", {"start_date": "2100-01-01T00:00:00Z"}).json()
    assert data == []
    bad = client.get("/open311/v2/requests.json", {"end_date": "yesterday"})
    assert bad.status_code == 400
    xml = ET.fromstring(client.get("/open311/v2/requests.xml").content)
    assert len(xml.findall("request")) == 3


def test_unknown_request_and_token_are_404(client, world):
    assert client.get("/open311/v2/requests/00-0000000.json").status_code == 404
    response = client.get("/open311/v2/tokens/nope.xml")
    assert response.status_code == 404
    assert ET.fromstring(response.content).find("error/code").text == "404"


def test_command_prints_a_working_key(client, world, capsys):
    call_command("create_open311_key", "Partner system")
    key = capsys.readouterr().out.strip()
    client_row = Open311Client.objects.get(name="Partner system")
    assert key not in (client_row.key_hash, "") and key.startswith(client_row.key_prefix)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "leak",
            "lat": "55.78",
            "long": "49.05",
            "description": "x",
        },
    )
    assert response.status_code == 200
