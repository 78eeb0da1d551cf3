"""POST /api/v1/support/tickets: apps and integrations write to the administrators."""

from __future__ import annotations

import pytest

from cityhall.accounts.tokens import create_api_token
from cityhall.core.models import AuditRecord
from cityhall.notifications.models import Message
from cityhall.portal.models import SupportTicket
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/support/tickets"


@pytest.fixture
def resident():
    return UserFactory(first_name="Ruslan", last_name="Sabirov", email="ruslan@example.org")


def _post(client, body: dict, user=None):
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {create_api_token(user=user, name='app')}"
    return client.post(URL, body, content_type="application/json", headers=headers)


def test_token_holder_gets_a_numbered_ticket_and_admins_are_told(
    client, resident, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(role="administrator").user
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(
            client,
            {
                "topic": "technical",
                "message": "The app crashes on the map screen.",
                "page_url": "app:map",
            },
            user=resident,
        )

    assert response.status_code == 201
    body = response.json()
    ticket = SupportTicket.objects.get()
    assert body["number"] == ticket.number and body["number"].startswith("TS-")
    assert body["status"] == "new" and body["topic"] == "technical"
    # Name and e-mail default to the signed-in person's.
    assert (ticket.author, ticket.name, ticket.email) == (
        resident,
        "Sabirov Ruslan",
        resident.email,
    )
    assert ticket.page_url == "app:map"
    entry = AuditRecord.objects.get(action="support_ticket.submitted")
    assert entry.actor_id == resident.pk and entry.object_id == str(ticket.pk)
    assert Message.objects.filter(recipient=admin, event="support_ticket.submitted").exists()


def test_given_name_and_email_win_over_the_profile(client, resident):
    response = _post(
        client,
        {"topic": "question", "message": "Hi", "name": "R. S.", "email": "other@example.org"},
        user=resident,
    )
    assert response.status_code == 201
    assert SupportTicket.objects.values_list("name", "email").get() == (
        "R. S.",
        "other@example.org",
    )


def test_bad_input_gets_field_errors_and_writes_nothing(client, resident):
    response = _post(client, {"topic": "gossip", "message": "  "}, user=resident)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"topic", "message"}
    assert SupportTicket.objects.count() == 0

    no_email = _post(client, {"topic": "question", "message": "Hi"}, user=UserFactory(email=None))
    assert no_email.status_code == 422 and set(no_email.json()["fields"]) == {"email"}

    missing = _post(client, {"message": "no topic"}, user=resident)
    assert missing.status_code == 422 and "topic" in missing.json()["fields"]


def test_anonymous_callers_are_refused(client):
    response = _post(client, {"topic": "question", "message": "Hi", "email": "a@example.org"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert SupportTicket.objects.count() == 0
