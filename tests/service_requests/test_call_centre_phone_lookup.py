"""Phone numbers in E.164 on input and on search (issue 16, item 8): the call centre finds the
caller however the number is written, and the redirect after registering keeps the ``+``."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cityhall.service_requests.models import ServiceRequest

from .factories import submit


@pytest.mark.parametrize(
    "typed", ["89175550001", "+7 917 555-00-01", "9175550001", "8 (917) 555 00 01"]
)
def test_the_call_centre_finds_the_caller_however_the_number_is_written(client, world, typed):
    earlier = submit(world, author=None, contact_name="Ivan", contact_phone="8 917 555-00-01")
    assert earlier.contact_phone == "+79175550001"
    world.resident.phone = "+79175550001"
    world.resident.save(update_fields=["phone"])
    client.force_login(world.operator)
    page = client.get(reverse("service_requests:operator"), {"phone": typed}).content.decode()
    assert earlier.number in page
    assert "Earlier requests of" in page  # the account with this phone is recognised


def test_registering_a_call_stores_e164_and_the_redirect_keeps_the_plus(client, world):
    client.force_login(world.operator)
    response = client.post(
        reverse("service_requests:operator"),
        {
            "category": "leak",
            "address": "ул. Баумана, 5",
            "description": "Water in the stairwell",
            "contact_name": "Ivan",
            "contact_phone": "8 917 555-00-02",
            "applicant_kind": "person",
        },
    )
    assert response.status_code == 302
    created = ServiceRequest.objects.get()
    assert created.contact_phone == "+79175550002"
    assert parse_qs(urlsplit(response["Location"]).query)["phone"] == ["+79175550002"]
    follow = client.get(response["Location"]).content.decode()
    assert created.number in follow


def test_a_number_that_cannot_be_a_phone_is_refused_on_the_form(client, world):
    response = client.post(
        reverse("service_requests:new"),
        {
            "category": "leak",
            "address": "ул. Баумана, 5",
            "description": "Water in the stairwell",
            "contact_phone": "12-34",
            "applicant_kind": "person",
        },
    )
    assert response.status_code == 422
    assert "Enter a phone number" in response.content.decode()
    assert not ServiceRequest.objects.exists()
