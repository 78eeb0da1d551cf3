"""Open311 and the JSON API acknowledge a request after one insert (a receipt token); the
intake inbox then registers many at once — routed, numbered without gaps per year, staged,
audited, the applicants told — and the token resolves to the request's number."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from cityhall.core import inbox
from cityhall.core.models import AuditRecord, Counter, InboxItem
from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest, Stage, Status, StatusChange
from cityhall.service_requests.services import intake

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture
def api_key(world):
    _client, key = services.create_open311_client(name="City app", actor=None)
    return key


@pytest.fixture
def background(settings):
    settings.INBOX_INLINE = False


@pytest.fixture
def batches(monkeypatch):
    """The sizes of the batches the intake handler was given."""
    sizes: list[int] = []
    handler = inbox.handler_for(intake.KIND)

    def spy(items):
        sizes.append(len(items))
        return handler(items)

    monkeypatch.setitem(inbox._HANDLERS, intake.KIND, spy)
    return sizes


def _post(client, api_key, fmt="json", **extra):
    data = {
        "api_key": api_key,
        "service_code": "leak",
        "lat": "55.78001",
        "long": "49.05001",
        "description": "Roof leaks",
        "email": "app-user@example.org",
    }
    data.update(extra)
    return client.post(f"/open311/v2/requests.{fmt}", data)


def test_open311_post_answers_a_token_and_the_worker_registers_the_batch(
    client, world, api_key, background, batches
):
    tokens = []
    for n in range(4):
        response = _post(client, api_key, email=f"resident{n}@example.org")
        assert response.status_code == 202, response.content
        answer = response.json()
        assert list(answer[0]) == ["token"]
        tokens.append(answer[0]["token"])
    # Acknowledged, not registered yet: the token says so, as the spec allows.
    assert not ServiceRequest.objects.exists()
    pending = client.get(f"/open311/v2/tokens/{tokens[0]}.json")
    assert pending.status_code == 200 and pending.json() == [{"token": tokens[0]}]
    assert client.get(f"/api/v1/receipts/{tokens[0]}").json()["state"] == "pending"

    call_command("run_inbox", "--once")

    assert batches == [4]  # one transaction for the four
    year = dt.datetime.now(MSK).year % 100
    requests = list(ServiceRequest.objects.order_by("pk"))
    assert [r.number for r in requests] == [f"{year:02d}-{n:07d}" for n in range(1, 5)]
    assert {r.organisation for r in requests} == {world.manager}
    assert all(r.status == Status.ROUTED and r.building == world.building for r in requests)
    for request in requests:
        stage = Stage.objects.get(request=request)
        assert stage.stage == Status.ROUTED and stage.due_at == request.stage_due_at
        assert request.stage_due_at > request.created_at
        assert StatusChange.objects.get(request=request).reason == "building_manager"
    audits = AuditRecord.objects.filter(action="service_requests.submitted").order_by("seq")
    assert [a.object_id for a in audits] == [str(r.pk) for r in requests]
    assert audits[0].after["routing"] == "building_manager"
    assert Message.objects.filter(
        address="resident2@example.org", event="service_requests.received", channel="email"
    ).exists()
    for token, request in zip(tokens, requests, strict=True):
        answer = client.get(f"/open311/v2/tokens/{token}.json").json()
        assert answer == [{"service_request_id": request.number, "token": token}]
        receipt = client.get(f"/api/v1/receipts/{token}").json()
        assert receipt["state"] == "done" and receipt["number"] == request.number
    xml = ET.fromstring(client.get(f"/open311/v2/tokens/{tokens[3]}.xml").content)
    assert xml.findtext("request/service_request_id") == requests[3].number


def test_xml_post_answers_its_token_in_xml(client, world, api_key, background):
    response = _post(client, api_key, fmt="xml")
    assert response.status_code == 202
    token = ET.fromstring(response.content).findtext("request/token")
    assert InboxItem.objects.get(token=token).state == "pending"
    answer = ET.fromstring(client.get(f"/open311/v2/tokens/{token}.xml").content)
    assert answer.findtext("request/token") == token
    assert answer.find("request/service_request_id") is None


def test_a_category_withdrawn_before_registration_refuses_that_request_alone(
    client, world, api_key, background
):
    first = _post(client, api_key).json()[0]["token"]
    withdrawn = _post(client, api_key, service_code="heating").json()[0]["token"]
    last = _post(client, api_key).json()[0]["token"]
    world.heating.is_active = False
    world.heating.save(update_fields=["is_active"])
    services.forget_catalogue()

    call_command("run_inbox", "--once")

    receipt = client.get(f"/api/v1/receipts/{withdrawn}").json()
    assert receipt["state"] == "refused"
    assert receipt["reason"] == "This category no longer takes requests."
    refused = client.get(f"/open311/v2/tokens/{withdrawn}.json")
    assert refused.status_code == 400
    assert refused.json()[0]["description"] == "This category no longer takes requests."
    numbers = [client.get(f"/api/v1/receipts/{t}").json()["number"] for t in (first, last)]
    year = dt.datetime.now(MSK).year % 100
    assert numbers == [f"{year:02d}-0000001", f"{year:02d}-0000002"]  # no gap
    assert ServiceRequest.objects.count() == 2


def test_bad_input_is_refused_at_once_and_nothing_is_stored(client, world, api_key, background):
    response = _post(client, api_key, email="not an address", description="")
    assert response.status_code == 400
    descriptions = [e["description"] for e in response.json()]
    assert "email: Enter a valid e-mail address." in descriptions
    assert "description: Describe the problem or attach a photo." in descriptions
    outside = _post(client, api_key, lat="59.93", long="30.31")
    assert outside.status_code == 400
    assert "lat: This point is outside the city." in outside.json()[0]["description"]
    wrong_key = _post(client, "o311_revoked")
    assert wrong_key.status_code == 403
    assert not InboxItem.objects.exists()


def test_a_revoked_key_stops_working_at_once(client, world, background):
    partner, key = services.create_open311_client(name="Partner", actor=None)
    assert _post(client, key).status_code == 202
    partner.is_active = False
    partner.save(update_fields=["is_active", "updated_at"])
    assert _post(client, key).status_code == 403
    assert InboxItem.objects.count() == 1


def test_a_point_with_no_building_goes_to_the_dispatchers_with_its_district(
    client, world, api_key, background
):
    token = _post(client, api_key, lat="55.83", long="49.18").json()[0]["token"]
    call_command("run_inbox", "--once")
    request = ServiceRequest.objects.get(number=inbox.status(token).ref)
    assert request.building is None and request.organisation is None
    assert request.status == Status.NEW and request.district == world.city.east
    assert request.stage_due_at is not None


def test_json_api_answers_202_with_a_receipt_then_201_when_inline(
    client, world, background, settings
):
    client.force_login(world.resident)
    body = {"category": "heating", "description": "Cold", "building_id": world.building.pk}
    response = client.post("/api/v1/requests/", body, content_type="application/json")
    assert response.status_code == 202
    receipt_url = response.json()["receipt_url"]
    assert client.get(receipt_url).json()["state"] == "pending"
    call_command("run_inbox", "--once")
    receipt = client.get(receipt_url).json()
    request = ServiceRequest.objects.get()
    assert receipt["number"] == request.number and request.organisation == world.supplier

    settings.INBOX_INLINE = True
    now = client.post("/api/v1/requests/", body, content_type="application/json")
    assert now.status_code == 201
    assert now.json()["number"].endswith("-0000002")


def test_numbers_start_again_each_year():
    assert intake.number_for(2026, 1234) == "26-0001234"
    assert intake.number_for(2100, 1) == "00-0000001"


def test_requests_received_either_side_of_new_year_take_their_years_series(
    client, world, api_key, background
):
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 59, tzinfo=MSK), tick=False):
        old = _post(client, api_key).json()[0]["token"]
    with time_machine.travel(dt.datetime(2027, 1, 1, 0, 1, tzinfo=MSK), tick=False):
        new = _post(client, api_key).json()[0]["token"]
        call_command("run_inbox", "--once")
    assert inbox.status(old).ref == "26-0000001"
    assert inbox.status(new).ref == "27-0000001"
    assert Counter.objects.get(series="service_requests.number.2027").value == 1


def test_the_web_form_registers_through_the_same_handler(client, world, batches):
    client.force_login(world.resident)
    response = client.post(
        reverse("service_requests:new"),
        {
            "category": "leak",
            "address": "ул. Баумана, 5",
            "description": "Water drips",
            "applicant_kind": "person",
        },
    )
    assert response.status_code == 302
    item = InboxItem.objects.get()
    assert item.kind == intake.KIND and item.state == "done"
    assert item.ref == ServiceRequest.objects.get().number
    assert batches == [1]


def test_the_series_start_after_numbers_given_before_them(world):
    """Databases from before the yearly series hold numbers made from row ids."""
    import importlib

    from django.apps import apps

    from .factories import submit

    migration = importlib.import_module(
        "cityhall.service_requests.migrations.0005_request_number_series"
    )
    old = submit(world)
    year = old.created_at.astimezone(MSK).year
    ServiceRequest.objects.filter(pk=old.pk).update(number=f"{year % 100:02d}-0000050")
    ServiceRequest.objects.create(
        number="25-0000007",
        category=world.leak,
        category_version_id=world.leak.current_version_id,
        description="Older",
        channel="web",
    )
    migration.start_series_after_existing_numbers(apps, None)
    assert Counter.objects.get(series="service_requests.number.2025").value == 7
    assert submit(world).number == f"{year % 100:02d}-0000051"


def test_photos_of_a_request_refused_at_registration_are_removed(
    world, background, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    from .factories import photo

    checked = intake.prepare(
        category="heating",
        description="Cold radiators",
        channel="web",
        author=world.resident,
        address="ул. Баумана, 5",
        photos=[photo()],
    )
    from cityhall.core.models import StoredFile

    record = StoredFile.objects.get(pk=checked["photos"][0]["file"])
    stored = record.file.name
    assert default_storage.exists(stored)
    item = intake.receive(checked)
    world.heating.is_active = False
    world.heating.save(update_fields=["is_active"])
    services.forget_catalogue()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_inbox", "--once")

    assert InboxItem.objects.get(pk=item.id).state == "refused"
    assert not default_storage.exists(stored)
    assert not StoredFile.objects.filter(pk=record.pk).exists()
