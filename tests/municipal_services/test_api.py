"""The API: list services, fetch a definition with its JSON Schema, submit and track an
application, upload, staff actions — with field-level errors in the common error shape."""

from __future__ import annotations

import pytest

from cityhall.accounts.tokens import create_api_token
from cityhall.municipal_services.models import Application
from tests.factories import UserFactory

from .factories import Department, published_service, upload

pytestmark = pytest.mark.django_db


def _auth(user) -> dict:
    return {"Authorization": f"Bearer {create_api_token(user=user, name='test')}"}


def test_services_and_their_definitions_are_public(client):
    dept = Department()
    published_service(dept)
    listed = client.get("/api/v1/services").json()
    assert [s["code"] for s in listed] == ["building-permit"]
    definition = client.get("/api/v1/services/building-permit").json()
    assert definition["form_schema"]["required"] == ["applicant_name", "purpose", "area"]
    assert definition["documents"][0]["types"] == ["application/pdf", "image/jpeg", "image/png"]
    assert client.get("/api/v1/services/nope").status_code == 404


def test_submit_and_track_an_application(client):
    dept = Department()
    published_service(dept)
    applicant = UserFactory()
    headers = _auth(applicant)
    bad = client.post(
        "/api/v1/applications",
        {
            "service": "building-permit",
            "submit": True,
            "answers": {"applicant_name": "ООО", "purpose": "zoo", "area": 0},
        },
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "invalid"
    assert body["fields"]["purpose"] == ["Choose one of the listed values."]
    assert body["fields"]["area"] == ["Enter a number not less than 1."]
    assert body["fields"]["plan"] == ["Attach this document."]
    assert not Application.objects.exclude(status="draft").exists()

    created = client.post(
        "/api/v1/applications",
        {
            "service": "building-permit",
            "answers": {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 90},
        },
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    app_id = created.json()["id"]
    uploaded = client.post(
        f"/api/v1/applications/{app_id}/files",
        {"document_code": "plan", "file": upload()},
        headers=headers,
    )
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "application/pdf"
    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=headers).json()
    assert submitted["status"] == "acceptance"
    assert submitted["status_text"] == "Documents are being checked"

    operator = _auth(dept.operator)
    assert (
        client.post(
            f"/api/v1/applications/{app_id}/actions",
            {"action": "accept"},
            content_type="application/json",
            headers=_auth(dept.expert),
        ).status_code
        == 403
    )
    accepted = client.post(
        f"/api/v1/applications/{app_id}/actions",
        {"action": "accept"},
        content_type="application/json",
        headers=operator,
    ).json()
    assert accepted["status"] == "consideration"
    tracked = client.get(f"/api/v1/applications/{app_id}", headers=headers).json()
    assert [e["kind"] for e in tracked["events"]] == ["created", "submitted", "accepted"]
    stranger = client.get(f"/api/v1/applications/{app_id}", headers=_auth(UserFactory()))
    assert stranger.status_code == 403


def test_staff_read_their_desk_through_the_api(client):
    from .factories import submitted_application

    dept = Department()
    service = published_service(dept)
    application = submitted_application(service)
    rows = client.get("/api/v1/applications/desk", headers=_auth(dept.operator)).json()
    assert [r["number"] for r in rows] == [application.number]
    assert rows[0]["status"] == "acceptance" and rows[0]["is_overdue"] is False
    assert client.get("/api/v1/applications/desk", headers=_auth(UserFactory())).status_code == 403
    other = client.get("/api/v1/applications/desk", headers=_auth(Department("X").operator))
    assert other.json() == []


def _no_documents() -> dict:
    from .factories import BASE_DEFINITION

    return {"documents": [BASE_DEFINITION["documents"][1]]}


def test_a_submission_without_documents_is_registered_at_once_where_inline(client):
    published_service(Department(), **_no_documents())  # settings.INBOX_INLINE is on in tests
    applicant = UserFactory()
    created = client.post(
        "/api/v1/applications",
        {
            "service": "building-permit",
            "submit": True,
            "answers": {"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120},
        },
        content_type="application/json",
        headers=_auth(applicant),
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "acceptance" and body["number"]
    assert (body["variant"], body["channel"]) == ("small-office", "api")
    assert [e["kind"] for e in body["events"]] == ["submitted"]


def test_a_submission_is_acknowledged_with_a_receipt_and_tracked_once_registered(client, settings):
    from django.core.management import call_command

    from cityhall.core.models import InboxItem

    settings.INBOX_INLINE = False
    published_service(Department(), **_no_documents())
    applicant = UserFactory()
    headers = _auth(applicant)
    accepted = client.post(
        "/api/v1/applications",
        {
            "service": "building-permit",
            "submit": True,
            "answers": {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 90},
        },
        content_type="application/json",
        headers=headers,
    )
    assert accepted.status_code == 202
    receipt_url = accepted.json()["receipt_url"]
    assert client.get("/api/v1/applications", headers=headers).json() == []
    assert InboxItem.objects.get().state == "pending"

    call_command("run_inbox", "--once")

    receipt = client.get(receipt_url).json()
    assert receipt["state"] == "done" and receipt["kind"] == "municipal_services.application"
    mine = client.get("/api/v1/applications", headers=headers).json()
    assert [a["number"] for a in mine] == [receipt["number"]]
    assert mine[0]["status_text"] == "Documents are being checked"
    # the OpenAPI description names both answers
    responses = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/applications"]["post"][
        "responses"
    ]
    assert {"201", "202"} <= set(responses)
