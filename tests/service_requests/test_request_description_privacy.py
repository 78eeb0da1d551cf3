"""Descriptions and the public (issue 16.11): the form says what will be public; a resident may
keep the description private (web form, API, Open311); private descriptions are shown on no
public page nor in Open311 GET; staff hide or redact a public description (permission-checked,
audited), the resident's own text kept for the people handling the request."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.core.errors import Forbidden
from cityhall.core.models import AuditRecord
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest
from tests.factories import MembershipFactory

from .factories import submit

SECRET = "Flat 57, ask for Ivanova, +7 917 555-00-01"


def _public_page(client, request) -> str:
    client.logout()
    return client.get(reverse("service_requests:detail", args=[request.pk])).content.decode()


def _open311(client, request) -> str:
    data = client.get(f"/open311/v2/requests/{request.number}.json").json()[0]
    return data["description"]


def test_the_form_says_what_will_be_public_before_submitting(client, world):
    page = client.get(reverse("service_requests:new")).content.decode()
    assert "What will be public" in page
    assert "Never public: the name, phone and e-mail, the answers" in page
    assert "The photos only if you choose to show them to everyone." in page
    assert 'name="description_private"' in page


def test_a_private_description_from_the_web_form_stays_off_public_pages(client, world):
    client.force_login(world.resident)
    response = client.post(
        reverse("service_requests:new"),
        {
            "category": "leak",
            "address": "ул. Баумана, 5",
            "description": SECRET,
            "description_private": "on",
            "applicant_kind": "person",
        },
    )
    assert response.status_code == 302
    request = ServiceRequest.objects.get()
    assert request.description_private and request.description == SECRET
    # The author reads it, and is reminded it is private.
    own = client.get(response["Location"]).content.decode()
    assert "Flat 57" in own and "You kept this description private" in own
    # The staff handling it read it.
    client.force_login(world.executor)
    staff = client.get(reverse("service_requests:staff_detail", args=[request.pk]))
    assert "Flat 57" in staff.content.decode()
    # The public does not: page, Open311 JSON and XML.
    public = _public_page(client, request)
    assert "Flat 57" not in public and "The description is not public." in public
    assert _open311(client, request) is None or _open311(client, request) == ""
    xml = client.get(f"/open311/v2/requests.xml?service_request_id={request.number}")
    assert b"Flat 57" not in xml.content


def test_a_public_description_is_shown_as_typed(client, world):
    request = submit(world, description="Water drips from the ceiling")
    assert "Water drips from the ceiling" in _public_page(client, request)
    assert _open311(client, request) == "Water drips from the ceiling"


def test_private_through_the_api_and_open311(client, world):
    client.force_login(world.resident)
    response = client.post(
        "/api/v1/requests/",
        {
            "category": "leak",
            "building_id": world.building.pk,
            "description": SECRET,
            "description_private": True,
        },
        content_type="application/json",
    )
    assert response.status_code in (201, 202), response.content
    assert ServiceRequest.objects.get().description_private

    _client, key = services.create_open311_client(name="City app", actor=None)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key,
            "service_code": "leak",
            "lat": "55.78",
            "long": "49.05",
            "description": "Open311 " + SECRET,
            "description_private": "true",
        },
    )
    assert response.status_code == 200, response.content
    created = ServiceRequest.objects.get(description__startswith="Open311")
    assert created.description_private
    listing = client.get("/open311/v2/requests.json").content.decode()
    assert "Flat 57" not in listing


def test_staff_redact_and_hide_a_public_description_audited(client, world):
    request = submit(world, description=SECRET)
    assert "Flat 57" in _public_page(client, request)
    client.force_login(world.dispatcher)
    url = reverse("service_requests:staff_action", args=[request.pk])
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content
    assert b"Moderate the public description" in page

    # A reason is required.
    refused = client.post(url, {"action": "moderate", "moderation": "hide", "reason": ""})
    assert refused.status_code == 422
    assert not ServiceRequest.objects.get(pk=request.pk).description_hidden

    response = client.post(
        url,
        {
            "action": "moderate",
            "moderation": "redact",
            "redacted": "Water drips in a flat",
            "reason": "Personal data",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.description == SECRET  # the resident's own text is kept
    public = _public_page(client, request)
    assert "Flat 57" not in public and "Water drips in a flat" in public
    assert _open311(client, request) == "Water drips in a flat"
    record = AuditRecord.objects.get(action="service_requests.description_redact")
    assert record.actor_id == world.dispatcher.pk and record.message == "Personal data"

    client.force_login(world.dispatcher)
    client.post(url, {"action": "moderate", "moderation": "hide", "reason": "Abusive"})
    assert "The description is not public." in _public_page(client, request)
    assert not _open311(client, request)
    assert AuditRecord.objects.filter(action="service_requests.description_hide").exists()

    # The author is told on their own page what the public sees.
    client.force_login(world.resident)
    own = client.get(reverse("service_requests:track", args=[request.public_token]))
    assert "have hidden this description" in own.content.decode()


def test_only_dispatchers_and_the_organisations_head_moderate(client, world):
    request = submit(world, description=SECRET)
    # An executor of the organisation may not; the page offers no form.
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content
    assert b"Moderate the public description" not in page
    response = client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"action": "moderate", "moderation": "hide", "reason": "x"},
    )
    assert response.status_code == 403
    assert not ServiceRequest.objects.get(pk=request.pk).description_hidden
    with pytest.raises(Forbidden):
        services.moderate_description(
            request=request, actor=world.resident, action="hide", reason="x"
        )
    # The organisation's head and its dispatchers may.
    services.moderate_description(
        request=request, actor=world.manager.head, action="hide", reason="Personal data"
    )
    own_dispatcher = MembershipFactory(organisation=world.manager, role="dispatcher").user
    services.moderate_description(
        request=request, actor=own_dispatcher, action="show", reason="Cleared"
    )
    assert "Flat 57" in _public_page(client, request)
