"""A client retrying after a lost answer creates no duplicate (issue 12.3): Open311 and API
submissions accept an ``Idempotency-Key`` header (or an ``idempotency_key`` form field); the
same key from the same client within a day answers with the first submission's receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityhall.accounts.tokens import create_api_token
from cityhall.core import inbox
from cityhall.core.models import InboxItem
from cityhall.discussions.models import Proposal
from cityhall.municipal_services.models import Application
from cityhall.service_requests import services as request_services
from cityhall.service_requests.models import ServiceRequest
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import OrganisationFactory, UserFactory
from tests.municipal_services.factories import BASE_DEFINITION, Department, published_service
from tests.service_requests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.STAFF_REQUIRE_OTP = False
    request_services.forget_catalogue()
    yield make_world()
    request_services.forget_catalogue()


def _headers(user, key=None) -> dict:
    headers = {"Authorization": f"Bearer {create_api_token(user=user, name='t')}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


@pytest.mark.parametrize("inline", [False, True])
def test_an_api_request_sent_twice_with_one_key_is_registered_once(client, world, settings, inline):
    settings.INBOX_INLINE = inline
    body = {"category": "leak", "description": "Roof leaks", "lat": 55.78001, "lon": 49.05001}
    headers = _headers(world.resident, "retry-7f3a")
    first = client.post("/api/v1/requests/", body, content_type="application/json", headers=headers)
    again = client.post("/api/v1/requests/", body, content_type="application/json", headers=headers)
    assert first.status_code == (201 if inline else 202)
    assert again.status_code == 202
    inbox.drain()
    assert ServiceRequest.objects.count() == 1
    receipt = client.get(again.json()["receipt_url"]).json()
    assert receipt["state"] == "done"
    assert receipt["number"] == ServiceRequest.objects.get().number
    if not inline:
        assert again.json()["token"] == first.json()["token"]
    other = client.post(
        "/api/v1/requests/",
        body,
        content_type="application/json",
        headers=_headers(world.resident, "retry-other"),
    )
    assert other.status_code in (201, 202)
    inbox.drain()
    assert ServiceRequest.objects.count() == 2


def test_open311_clients_may_send_the_key_as_a_field_and_never_share_keys(client, world, settings):
    settings.INBOX_INLINE = False
    _c, city_app = request_services.create_open311_client(name="City app", actor=None)
    _c, other_app = request_services.create_open311_client(name="Other app", actor=None)
    data = {"service_code": "leak", "lat": "55.78001", "long": "49.05001", "description": "Leak"}
    one = client.post("/open311/v2/requests.json", {**data, "api_key": city_app,
                                                    "idempotency_key": "k1"})  # fmt: skip
    two = client.post("/open311/v2/requests.json", {**data, "api_key": city_app},
                      headers={"Idempotency-Key": "k1"})  # fmt: skip
    three = client.post("/open311/v2/requests.json", {**data, "api_key": other_app,
                                                      "idempotency_key": "k1"})  # fmt: skip
    assert [r.status_code for r in (one, two, three)] == [202, 202, 202]
    assert one.json()[0]["token"] == two.json()[0]["token"] != three.json()[0]["token"]
    inbox.drain()
    assert ServiceRequest.objects.count() == 2
    assert InboxItem.objects.count() == 2


def test_a_proposal_and_an_application_sent_twice_with_one_key_are_registered_once(
    client, settings
):
    settings.STAFF_REQUIRE_OTP = False
    settings.INBOX_INLINE = False
    from tests.geo.factories import BuildingFactory, make_city

    city = make_city()
    home = BuildingFactory(street="ул. Западная", house="1", lat=55.78, lon=49.05)
    discussion = DiscussionFactory(
        organiser=OrganisationFactory(council=True, name="Городская Дума"), districts=[city.west]
    )
    person = verified_person(home)
    for _ in range(2):
        response = client.post(
            f"/api/v1/discussions/{discussion.pk}/proposals",
            {"text": "Сохранить сквер"},
            content_type="application/json",
            headers=_headers(person, "p-1"),
        )
        assert response.status_code == 202
    service = published_service(Department(), documents=[BASE_DEFINITION["documents"][1]])
    answers = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500}
    for _ in range(2):
        response = client.post(
            "/api/v1/applications",
            {"service": service.code, "submit": True, "answers": answers},
            content_type="application/json",
            headers=_headers(person, "a-1"),
        )
        assert response.status_code == 202
    inbox.drain()
    assert Proposal.objects.count() == 1
    assert Application.objects.count() == 1


def test_a_key_over_255_characters_is_refused(client, world):
    response = client.post(
        "/api/v1/requests/",
        {"category": "leak", "description": "Roof leaks", "lat": 55.78001, "lon": 49.05001},
        content_type="application/json",
        headers=_headers(world.resident, "k" * 256),
    )
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["fields"]
    assert not InboxItem.objects.exists()


def test_a_person_submits_at_most_the_hourly_limit_an_operator_is_not_limited(
    client, world, settings
):
    """Issue 12.3: rate limits on requests (and proposals, applications: the same inbox
    check). Counted from the inbox, so every worker shares the count."""
    settings.INBOX_INLINE = False
    settings.SUBMISSIONS_PER_HOUR = 3
    body = {"category": "leak", "description": "Roof leaks", "lat": 55.78001, "lon": 49.05001}
    answers = []
    for n in range(4):
        answers.append(
            client.post(
                "/api/v1/requests/",
                {**body, "description": f"Roof leaks {n}"},
                content_type="application/json",
                headers=_headers(world.resident),
            )
        )
    assert [r.status_code for r in answers] == [202, 202, 202, 429]
    assert answers[-1].json()["code"] == "too_many"
    assert InboxItem.objects.count() == 3
    client.force_login(world.operator)
    for n in range(4):  # the call centre registers for callers: no per-person limit
        request_services.submit_request(
            category="leak",
            description=f"Caller {n}",
            channel="operator",
            entered_by=world.operator,
            lat=55.78001,
            lon=49.05001,
            contact_name="Caller",
            contact_phone="+79005550000",
        )
    assert ServiceRequest.objects.filter(channel="operator").count() == 4


def test_the_hourly_limit_counts_only_the_last_hour_and_only_the_person(client, world, settings):
    settings.INBOX_INLINE = False
    settings.SUBMISSIONS_PER_HOUR = 2
    body = {"category": "leak", "description": "Roof leaks", "lat": 55.78001, "lon": 49.05001}

    def send(person, n) -> int:
        return client.post(
            "/api/v1/requests/",
            {**body, "description": f"Roof leaks {n}"},
            content_type="application/json",
            headers=_headers(person),
        ).status_code

    assert [send(world.resident, n) for n in range(3)] == [202, 202, 429]
    assert send(UserFactory(), 9) == 202  # another person has a limit of their own
    InboxItem.objects.filter(actor_id=world.resident.pk).update(
        received_at=timezone.now() - dt.timedelta(minutes=61)
    )
    assert send(world.resident, 3) == 202  # an hour later the earlier ones no longer count
