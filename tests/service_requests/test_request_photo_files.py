"""Residents' and executors' photos go through the file service: hostile files are refused on
every channel with the reason named and nothing stored; what is kept has no EXIF, the resident
may keep the photo's position as the request's point, and only the people of the case see it."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cityhall.core.models import StoredFile
from cityhall.service_requests.models import Photo, ServiceRequest
from tests.core import hostile_files as hostile
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import photo


def _form(**extra):
    data = {
        "category": "leak",
        "address": "ул. Баумана, 5",
        "description": "Water drips from the ceiling in the stairwell",
        "contact_phone": "+79005550000",
        "applicant_kind": "person",
    }
    data.update(extra)
    return data


def _nothing_stored(settings) -> bool:
    kept = [f for _, _, names in os.walk(settings.MEDIA_ROOT) for f in names]
    return not kept and not StoredFile.objects.exists() and not Photo.objects.exists()


@pytest.fixture
def api_key(world):
    from cityhall.service_requests import services

    return services.create_open311_client(name="City app", actor=None)[1]


def test_html_sent_as_open311_media_is_refused_and_nothing_is_stored(
    client, world, api_key, settings
):
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "leak",
            "lat": "55.78",
            "long": "49.05",
            "description": "Leak",
            "media": SimpleUploadedFile("photo.html", hostile.HTML, content_type="text/html"),
        },
    )
    assert response.status_code == 400
    assert "photo.html is not a file of an accepted type" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists() and _nothing_stored(settings)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("cat.gif", hostile.gif_html_polyglot(), "holds web page code"),
        ("scan.png", hostile.pdf_html_polyglot(), "is not a file of an accepted type"),
        ("bomb.png", hostile.huge_png(), "has too many pixels"),
    ],
)
def test_hostile_photo_on_the_web_form_is_refused_with_its_reason(
    client, world, settings, name, data, reason
):
    client.force_login(world.resident)
    response = client.post(
        reverse("service_requests:new"), _form(photos=[SimpleUploadedFile(name, data)])
    )
    assert response.status_code == 422
    assert f"{name} {reason}" in response.content.decode()
    assert not ServiceRequest.objects.exists() and _nothing_stored(settings)


def test_photo_is_kept_without_exif_and_its_position_may_be_the_requests_point(client, world):
    client.force_login(world.resident)
    jpeg = SimpleUploadedFile("IMG_0001.jpg", hostile.jpeg_with_gps(55.7801, 49.0501))
    response = client.post(
        reverse("service_requests:new"), _form(address="", photos=[jpeg], photo_location="on")
    )
    assert response.status_code == 302, response.content.decode()[:500]
    request = ServiceRequest.objects.get()
    assert request.lat == pytest.approx(55.7801, abs=1e-4)
    assert request.lon == pytest.approx(49.0501, abs=1e-4)
    stored = request.photos.get().stored
    assert stored.file.name.endswith(".jpg") and "IMG_0001" not in stored.file.name
    data = b"".join(client.get(stored.url).streaming_content)
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
    assert b"Ivan Ivanov" not in data


def test_photos_position_is_not_used_unless_the_resident_asks(client, world):
    client.force_login(world.resident)
    jpeg = SimpleUploadedFile("IMG_0002.jpg", hostile.jpeg_with_gps(55.7801, 49.0501))
    response = client.post(reverse("service_requests:new"), _form(address="", photos=[jpeg]))
    assert response.status_code == 422
    assert not ServiceRequest.objects.exists()


def test_request_photo_is_seen_only_by_the_people_of_the_case(client, world):
    client.force_login(world.resident)
    client.post(reverse("service_requests:new"), _form(photos=[photo()]))
    request = ServiceRequest.objects.get()
    assert request.organisation == world.manager
    url = request.photos.get().url
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: asked to sign in
    other_executor = MembershipFactory(organisation=OrganisationFactory(), role="executor").user
    for outsider in (UserFactory(), other_executor):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for insider in (world.resident, world.executor, world.dispatcher):
        client.force_login(insider)
        response = client.get(url)
        assert response.status_code == 200, insider
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk]))
    assert url in page.content.decode()
