"""Registration, SMS codes and support tickets are rate-limited per client address (and per
person for tickets), through ``accounts.throttle``: no SMS pumping, no ticket flood."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.accounts import throttle
from cityhall.accounts.tokens import create_api_token
from cityhall.notifications.models import Message, SmsLog
from cityhall.portal.models import SupportTicket
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
CONFIRM = reverse("accounts:confirm")
PASSWORD = "Kazan-river-2026"


def _form(**overrides) -> dict:
    data = {
        "kind": "resident",
        "last_name": "Галиев",
        "first_name": "Айдар",
        "middle_name": "",
        "contact": "aidar@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "organisation_name": "",
        "inn": "",
        "personal_data_consent": "on",
    }
    data.update(overrides)
    return data


def _sms_sent() -> int:
    return Message.objects.filter(channel="sms").count()


def test_no_sms_pumping_twenty_fresh_numbers_from_one_address(
    client, django_capture_on_commit_callbacks
):
    refused = 0
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            response = client.post(
                REGISTER,
                _form(contact=f"+7 917 000-{n:02d}-{n:02d}"),
                REMOTE_ADDR="203.0.113.7",
            )
            client.session.flush()
            if response.status_code == 429:
                refused += 1
                assert "Try again in" in response.content.decode()
    assert _sms_sent() <= throttle.SMS_BY_ADDRESS.free
    assert SmsLog.objects.count() <= throttle.SMS_BY_ADDRESS.free
    assert refused == 20 - throttle.SMS_BY_ADDRESS.free


def test_resending_the_confirmation_code_counts_against_the_sms_limit(
    client, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-03-02 09:00:00+03:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REGISTER, _form(contact="+79170001122"), REMOTE_ADDR="203.0.113.8")
    statuses = []
    for _minute in range(8):
        time_machine.shift(61)  # past the per-code cooldown each time
        with django_capture_on_commit_callbacks(execute=True):
            statuses.append(
                client.post(CONFIRM, {"action": "resend"}, REMOTE_ADDR="203.0.113.8").status_code
            )
    assert statuses.count(429) >= 1
    assert _sms_sent() == throttle.SMS_BY_ADDRESS.free
    page = client.post(CONFIRM, {"action": "resend"}, REMOTE_ADDR="203.0.113.8")
    assert page.status_code == 429 and "Too many codes asked for" in page.content.decode()


def test_too_many_registrations_from_one_address_are_refused_keeping_the_answers(client):
    for n in range(throttle.REGISTRATION_BY_ADDRESS.free):
        client.post(REGISTER, _form(contact=f"p{n}@example.org"), REMOTE_ADDR="198.51.100.4")
        client.session.flush()
    response = client.post(
        REGISTER,
        _form(contact="late@example.org", last_name="Хабибуллин"),
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many registrations from your network" in page
    assert 'value="late@example.org"' in page and 'value="Хабибуллин"' in page
    # Another client is not affected.
    other = client.post(REGISTER, _form(contact="else@example.org"), REMOTE_ADDR="198.51.100.5")
    assert other.status_code == 302


def test_registration_refusal_is_translated(client):
    for n in range(throttle.REGISTRATION_BY_ADDRESS.free):
        client.post(REGISTER, _form(contact=f"q{n}@example.org"), REMOTE_ADDR="198.51.100.6")
    client.cookies["django_language"] = "ru"
    response = client.post(REGISTER, _form(contact="z2@example.org"), REMOTE_ADDR="198.51.100.6")
    assert response.status_code == 429
    assert "Слишком много регистраций" in response.content.decode()


def _ticket(**overrides) -> dict:
    data = {
        "name": "Ruslan",
        "email": "ruslan@example.org",
        "topic": "technical",
        "message": "The map does not load.",
        "page_url": "",
    }
    data.update(overrides)
    return data


def test_support_form_refuses_a_flood_from_one_address_and_keeps_the_message(client):
    url = reverse("portal:feedback")
    for _n in range(throttle.SUPPORT_TICKETS_BY_ADDRESS.free):
        assert client.post(url, _ticket(), REMOTE_ADDR="192.0.2.10").status_code == 302
    response = client.post(
        url, _ticket(message="One more: still broken."), REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "You have sent many messages in a short time" in page
    assert "One more: still broken." in page
    assert SupportTicket.objects.count() == throttle.SUPPORT_TICKETS_BY_ADDRESS.free


def test_support_api_answers_429_per_person_whatever_the_address(client):
    person = UserFactory(email="ruslan@example.org")
    token = create_api_token(user=person, name="app")
    url = "/api/v1/support/tickets"
    body = {"topic": "technical", "message": "Crash."}
    for n in range(throttle.SUPPORT_TICKETS_BY_PERSON.free):
        response = client.post(
            url,
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
            REMOTE_ADDR=f"192.0.2.{n + 20}",
        )
        assert response.status_code == 201
    response = client.post(
        url,
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
        REMOTE_ADDR="192.0.2.99",
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert "Try again in" in response.json()["detail"]
    assert set(response.json()) == {"detail", "code"}
