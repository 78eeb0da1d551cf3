"""The JSON API: catalogue, submit with field errors, my requests, staff transitions."""

from __future__ import annotations

from cityhall.service_requests.models import ServiceRequest

from .factories import submit


def test_catalogue_is_public(client, world):
    data = client.get("/api/v1/requests/categories").json()
    assert {c["code"] for c in data} == {"leak", "heating", "lift"}


def test_submit_and_list_mine(client, world):
    client.force_login(world.resident)
    response = client.post(
        "/api/v1/requests/",
        {"category": "leak", "description": "Drip", "building_id": world.building.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["organisation"] == "UK Baumana"
    mine = client.get("/api/v1/requests/mine").json()
    assert [r["number"] for r in mine] == [response.json()["number"]]


def test_submit_errors_are_per_field(client, world):
    client.force_login(world.resident)
    response = client.post(
        "/api/v1/requests/",
        {"category": "nope", "description": "", "lat": 59.9, "lon": 30.3},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) >= {"category", "description", "lat"}
    assert not ServiceRequest.objects.exists()


def test_executor_moves_a_request_and_strangers_cannot_read_it(client, world):
    request = submit(world)
    client.force_login(world.executor)
    response = client.post(
        f"/api/v1/requests/{request.pk}/transition",
        {"to": "accepted", "version": request.version},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(f"/api/v1/requests/{request.pk}").status_code == 403


def test_comment_feedback_and_public_history(client, world):
    from cityhall.service_requests import services

    request = submit(world)
    client.force_login(world.resident)
    response = client.post(
        f"/api/v1/requests/{request.pk}/comments",
        {"text": "Still dripping"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["is_staff"] is False
    early = client.post(
        f"/api/v1/requests/{request.pk}/feedback", {"score": 5}, content_type="application/json"
    )
    assert early.status_code == 422
    services.transition(request=request, actor=world.executor, to="accepted")
    services.transition(request=request, actor=world.executor, to="done", report="ok")
    vote = client.post(
        f"/api/v1/requests/{request.pk}/feedback", {"score": 4}, content_type="application/json"
    )
    assert vote.status_code == 201
    again = client.post(
        f"/api/v1/requests/{request.pk}/feedback", {"score": 1}, content_type="application/json"
    )
    assert again.status_code == 409
    client.logout()
    steps = client.get(f"/api/v1/requests/{request.pk}/history").json()
    assert [s["to_status"] for s in steps] == ["routed", "accepted", "done"]
