"""Open311 (issue 16.10): a photo may be the whole report, discovery XML in the spec's
``<endpoint>``/``<format>`` elements, and bodies that are not UTF-8 refused with the spec's
error list instead of Django's HTML page or stored mojibake."""

from __future__ import annotations

from urllib.parse import quote_from_bytes
from xml.etree import ElementTree as ET

import pytest

from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest

from .factories import photo


@pytest.fixture
def api_key(world):
    _client, key = services.create_open311_client(name="City app", actor=None)
    return key


def _form_body(api_key: str, description: bytes) -> str:
    return "&".join(
        [
            f"api_key={api_key}",
            "service_code=leak",
            "lat=55.78001",
            "long=49.05001",
            "description=" + quote_from_bytes(description),
        ]
    )


def test_a_photo_without_description_is_a_report(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "leak",
            "lat": "55.78",
            "long": "49.05",
            "media": photo(),
        },
    )
    assert response.status_code == 200, response.content
    request = ServiceRequest.objects.get()
    assert request.description == "" and request.photos.count() == 1


def test_neither_description_nor_media_gets_a_clear_error(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.xml",
        {"api_key": api_key, "service_code": "leak", "lat": "55.78", "long": "49.05"},
    )
    assert response.status_code == 400
    errors = ET.fromstring(response.content)
    assert errors.tag == "errors"
    assert errors.findtext("error/description") == (
        "description: Describe the problem or attach a photo."
    )
    assert not ServiceRequest.objects.exists()


def test_discovery_xml_uses_endpoint_and_format_elements(client, world):
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").content)
    assert root.tag == "discovery" and root.find(".//item") is None
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == [
        "application/json",
        "text/xml",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_body_declared_windows_1251_gets_the_error_list(client, world, api_key, fmt):
    response = client.post(
        f"/open311/v2/requests.{fmt}",
        _form_body(api_key, "Течёт крыша".encode("cp1251")),
        content_type="application/x-www-form-urlencoded; charset=windows-1251",
    )
    assert response.status_code == 400
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json")
        error = response.json()[0]
        assert error["code"] == 400 and "UTF-8" in error["description"]
        assert "windows-1251" in error["description"]
    else:
        assert ET.fromstring(response.content).find("error/code").text == "400"
    assert not ServiceRequest.objects.exists()


def test_an_undeclared_cp1251_body_is_refused_not_stored_as_mojibake(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        _form_body(api_key, "Течёт крыша".encode("cp1251")),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_an_undeclared_cp1251_multipart_field_is_refused(client, world, api_key):
    boundary = "XyZ"
    parts = [
        ("api_key", api_key.encode()),
        ("service_code", b"leak"),
        ("lat", b"55.78"),
        ("long", b"49.05"),
        ("description", "Течёт крыша".encode("cp1251")),
    ]
    body = (
        b"".join(
            b"--"
            + boundary.encode()
            + b'\r\nContent-Disposition: form-data; name="'
            + name.encode()
            + b'"\r\n\r\n'
            + value
            + b"\r\n"
            for name, value in parts
        )
        + b"--"
        + boundary.encode()
        + b"--\r\n"
    )
    response = client.generic(
        "POST",
        "/open311/v2/requests.json",
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400
    assert "not valid UTF-8" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_utf8_text_is_stored_as_sent(client, world, api_key):
    response = client.post(
        "/open311/v2/requests.json",
        _form_body(api_key, "Течёт крыша".encode()),
        content_type="application/x-www-form-urlencoded; charset=UTF-8",
    )
    assert response.status_code == 200, response.content
    assert ServiceRequest.objects.get().description == "Течёт крыша"
