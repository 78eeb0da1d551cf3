"""The feedback / technical-support form creates a numbered ticket for the administrators."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.portal.models import SupportTicket
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_empty_form_gets_field_errors_and_changes_nothing(client):
    response = client.post("/feedback/", {"name": "", "email": "not-an-email", "message": ""})
    assert response.status_code == 422
    assert "This field is required." in response.text
    assert "Enter a valid email address." in response.text
    assert 'aria-invalid="true"' in response.text
    assert SupportTicket.objects.count() == 0


def test_anonymous_visitor_gets_a_ticket_number_and_admins_are_told(
    client, django_capture_on_commit_callbacks
):
    admin = MembershipFactory(role="administrator").user
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/feedback/",
            {
                "name": "Алсу Хамитова",
                "email": "alsu@example.org",
                "topic": "accessibility",
                "message": "The map is hard to use with a screen reader.",
                "page_url": "/geo/",
            },
            follow=True,
        )
    assert response.status_code == 200
    ticket = SupportTicket.objects.get()
    assert ticket.number in response.text
    assert ticket.number.startswith("TS-")
    assert ticket.author is None and ticket.page_url == "/geo/"
    assert AuditRecord.objects.filter(action="support_ticket.submitted").count() == 1
    from cityhall.notifications.models import Message

    assert Message.objects.filter(recipient=admin, event="support_ticket.submitted").exists()


def test_signed_in_author_is_linked_and_numbers_increase(client):
    user = UserFactory()
    client.force_login(user)
    for _ in range(2):
        client.post(
            "/feedback/",
            {"name": "A", "email": "a@example.org", "topic": "question", "message": "Hello"},
        )
    numbers = sorted(SupportTicket.objects.values_list("number", flat=True))
    assert len(numbers) == 2 and numbers[0] < numbers[1]
    assert set(SupportTicket.objects.values_list("author", flat=True)) == {user.pk}
