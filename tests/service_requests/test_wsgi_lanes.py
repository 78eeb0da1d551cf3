"""The served WSGI application (core.handlers): API and Open311 calls without a cookie take the
lean middleware lane, everything else the full one, with the same answers."""

from __future__ import annotations

import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from cityhall.accounts.tokens import create_api_token
from cityhall.core.handlers import Application
from cityhall.service_requests import services
from cityhall.service_requests.models import Channel, ServiceRequest
from tests.factories import UserFactory


@pytest.fixture(scope="module")
def app():
    return Application()


def _call(app, request):
    """One request through the WSGI application, keeping the test's database connection open
    (as django.test.Client does)."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = b"".join(app(request.environ, start_response))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def test_open311_post_without_a_cookie_takes_the_lean_lane_and_is_registered(app, world):
    _client, key = services.create_open311_client(name="City app", actor=None)
    form = {"api_key": key, "service_code": "leak", "lat": "55.78001", "long": "49.05001",
            "description": "Roof leaks over the stairs"}  # fmt: skip
    status, headers, body = _call(app, RequestFactory().post("/open311/v2/requests.json", form))

    assert status == 200, body  # registered at once in the tests (INBOX_INLINE)
    assert "X-Frame-Options" not in headers  # the full stack's clickjacking header is skipped
    number = json.loads(body)[0]["service_request_id"]
    assert ServiceRequest.objects.get(number=number).channel == Channel.OPEN311

    status, _headers, body = _call(
        app, RequestFactory().post("/open311/v2/requests.json", {**form, "api_key": "wrong"})
    )
    assert status == 403 and json.loads(body)[0]["code"] == 403


def test_api_without_a_cookie_is_anonymous_until_a_token_says_otherwise(app, world):
    factory = RequestFactory(HTTP_ACCEPT_LANGUAGE="ru")
    status, headers, body = _call(app, factory.get("/api/v1/accounts/me"))
    assert status == 401 and "X-Frame-Options" not in headers
    assert json.loads(body)["detail"] == "Требуется вход в систему."  # translated in the lane

    person = UserFactory()
    token = create_api_token(user=person, name="app")
    status, _headers, body = _call(
        app, factory.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    )
    assert status == 200 and json.loads(body)["username"] == person.username


def test_a_browser_with_a_cookie_keeps_the_full_stack(app, world):
    status, headers, _body = _call(
        app, RequestFactory().get("/api/v1/accounts/me", HTTP_COOKIE="sessionid=nothing")
    )
    assert status == 401
    assert headers.get("X-Frame-Options") == "DENY"
    status, headers, _body = _call(app, RequestFactory().get("/"))
    assert status == 200 and headers.get("X-Frame-Options") == "DENY"


def test_the_lean_lane_resolves_each_path_to_its_own_object_however_often_asked(app, world):
    # The lane keeps where each API path goes (core.handlers._resolved): a path's own
    # arguments reach the view every time, and a path naming nothing is still the API's 404.
    factory = RequestFactory()
    for _round in range(2):
        for building in (world.building, world.other_building):
            status, _headers, body = _call(app, factory.get(f"/api/v1/geo/buildings/{building.pk}"))
            assert status == 200 and json.loads(body)["id"] == building.pk
    status, _headers, body = _call(app, factory.get("/api/v1/no/such/operation"))
    assert status == 404 and json.loads(body)["code"] == "not_found"
