"""A resident's photos are private unless they choose to show them to everyone (the web form's
checkbox, unticked by default, works without JavaScript); staff who moderate a request change
it later (permission-checked, audited). Public photos are read by anyone at their stable
address with long cache headers and are Open311's ``media_url`` (JSON and XML); private ones
only by the author and the case's staff."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from cityhall.core.models import AuditRecord, StoredFile
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest
from tests.factories import UserFactory

from .factories import photo

YEAR = "public, max-age=31536000, immutable"


def _send_form(client, world, **extra) -> ServiceRequest:
    client.force_login(world.resident)
    data = {
        "category": "leak",
        "address": "ул. Баумана, 5",
        "description": "Water drips from the ceiling in the stairwell",
        "contact_phone": "+79005550000",
        "applicant_kind": "person",
        "photos": [photo()],
        **extra,
    }
    response = client.post(reverse("service_requests:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return ServiceRequest.objects.latest("pk")


def _open311(client, request: ServiceRequest, fmt: str):
    return client.get(f"/open311/v2/requests/{request.number}.{fmt}")


def test_the_form_offers_public_photos_unticked_and_says_what_it_means(client, world):
    page = client.get(reverse("service_requests:new")).content.decode()
    box = page[page.index('name="photos_public"') - 200 : page.index('name="photos_public"') + 80]
    assert 'type="checkbox"' in box and "checked" not in box
    assert "Show my photos to everyone" in page
    assert "only you and the people handling the request see your photos" in page


def test_a_photo_sent_without_the_choice_is_seen_only_by_the_author_and_the_case_staff(
    client, world
):
    request = _send_form(client, world)
    stored = request.photos.get().stored
    assert stored.visibility == StoredFile.Visibility.CASE
    address = f"/files/{stored.pk}/"
    assert client.get(address).status_code == 302  # a visitor is asked to sign in
    client.force_login(UserFactory())
    assert client.get(address).status_code == 404  # another resident: not even its existence
    for reader in (world.resident, world.dispatcher, world.executor):
        client.force_login(reader)
        answer = client.get(address)
        assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-store"
    client.logout()
    public_page = client.get(reverse("service_requests:detail", args=[request.pk]))
    assert address not in public_page.content.decode()
    assert _open311(client, request, "json").json()[0]["media_url"] is None
    xml = ET.fromstring(_open311(client, request, "xml").content)
    assert xml.find("request/media_url") is not None
    assert not xml.find("request/media_url").text


def test_a_photo_the_resident_shows_to_everyone_is_public_cached_and_open311s_media_url(
    client, world, settings
):
    settings.SITE_URL = "https://city.example"
    request = _send_form(client, world, photos_public="on")
    stored = request.photos.get().stored
    assert stored.visibility == StoredFile.Visibility.PUBLIC
    address = f"/files/{stored.pk}/"
    answer = client.get(address)  # nobody signed in
    assert answer.status_code == 200 and answer["Cache-Control"] == YEAR
    assert answer["Content-Type"] == "image/png"
    page = client.get(reverse("service_requests:detail", args=[request.pk])).content.decode()
    assert f'<a href="{address}"><img src="{address}thumbnail/"' in page

    media_url = "https://city.example" + address
    assert _open311(client, request, "json").json()[0]["media_url"] == media_url
    xml = ET.fromstring(_open311(client, request, "xml").content)
    assert xml.find("request/media_url").text == media_url
    listed = client.get("/open311/v2/requests.xml").content
    assert media_url.encode() in listed


@pytest.mark.parametrize(("media_private", "visibility"), [("", "public"), ("true", "case")])
def test_a_photo_sent_as_open311_media_is_public_unless_the_client_keeps_it_private(
    client, world, media_private, visibility
):
    _client, key = services.create_open311_client(name="City app", actor=None)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "leak",
            "lat": "55.78001",
            "long": "49.05001",
            "media": photo(),
            "media_private": media_private,
        },
    )
    assert response.status_code == 200, response.content
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert request.photos.get().stored.visibility == visibility


def _change(client, request, photo_pk, visibility):
    return client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"action": "photo_visibility", "photo": photo_pk, "visibility": visibility},
    )


def test_staff_who_moderate_show_a_photo_to_everyone_and_keep_it_private_again(client, world):
    request = _send_form(client, world)
    shown = request.photos.get()
    address = f"/files/{shown.stored_id}/"
    client.force_login(world.dispatcher)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content
    assert "Show photo 1 to everyone" in page.decode()
    assert _change(client, request, shown.pk, "public").status_code == 302
    client.logout()
    assert client.get(address)["Cache-Control"] == YEAR
    change = AuditRecord.objects.get(action="service_requests.photo_visibility")
    assert change.after == {"photo": str(shown.stored_id), "visibility": "public"}
    assert change.before["visibility"] == "case" and change.actor_id == world.dispatcher.pk

    client.force_login(world.dispatcher)
    _change(client, request, shown.pk, "case")
    client.logout()
    assert client.get(address).status_code == 302
    assert AuditRecord.objects.filter(action="service_requests.photo_visibility").count() == 2


def test_an_executor_may_not_change_who_sees_a_photo(client, world):
    request = _send_form(client, world)
    kept = request.photos.get()
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content
    assert "to everyone" not in page.decode().replace("Shown to everyone", "")
    assert _change(client, request, kept.pk, "public").status_code == 403
    kept.stored.refresh_from_db()
    assert kept.stored.visibility == StoredFile.Visibility.CASE
    assert not AuditRecord.objects.filter(action="service_requests.photo_visibility").exists()
