"""Signing in with a user name, an e-mail or a phone number and a password; lockout."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cityhall.core.models import AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _sign_in(client, login, password, **extra):
    return client.post(LOGIN, {"login": login, "password": password, **extra})


@pytest.mark.parametrize(
    "login",
    ["anna", "Anna.Ivanova@Example.org", "+79171234567", "8 (917) 123-45-67"],
    ids=["username", "e-mail", "phone", "phone-as-typed"],
)
def test_resident_signs_in_with_username_email_or_phone(client, password, login):
    person = UserFactory(username="anna", email="anna.ivanova@example.org", phone="+79171234567")
    response = _sign_in(client, login, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:cabinet")
    assert int(client.session["_auth_user_id"]) == person.pk


def test_sign_in_page_offers_registration_and_renders_the_form(client):
    page = client.get(LOGIN)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="login"' in text and 'autocomplete="current-password"' in text
    assert reverse("accounts:register") in text


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    UserFactory(username="anna")
    response = _sign_in(client, "anna", "not-the-password")
    assert response.status_code == 422
    assert "Wrong user name, e-mail, phone or password." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_safe_next_is_followed_and_foreign_next_ignored(client, password):
    UserFactory(username="anna")
    response = _sign_in(client, "anna", password, next="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    client.logout()
    response = _sign_in(client, "anna", password, next="https://evil.example/steal")
    assert response["Location"] == reverse("portal:cabinet")


def test_repeated_wrong_passwords_lock_the_account_even_for_the_right_password(client, password):
    person = UserFactory(username="anna", email="anna@example.org", phone="+79171234567")
    statuses = [_sign_in(client, "anna@example.org", "guess").status_code for _ in range(5)]
    assert statuses == [422, 422, 422, 422, 429]
    # locked however the login is spelled
    for login in ("anna", "ANNA@example.org", "8 917 123 45 67"):
        locked = _sign_in(client, login, password)
        assert locked.status_code == 429
        assert "Too many failed attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session
    lock = AuditRecord.objects.get(action="accounts.sign_in_locked")
    assert lock.object_id == str(person.pk) and lock.message == "password"


def test_the_lock_ends_after_the_window(client, password):
    UserFactory(username="anna")
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        for _ in range(5):
            _sign_in(client, "anna", "guess")
        assert _sign_in(client, "anna", password).status_code == 429
        traveller.shift(16 * 60)
        assert _sign_in(client, "anna", password).status_code == 302


def test_unconfirmed_registration_is_sent_to_confirmation_after_the_right_password(
    client, password
):
    UserFactory(username="new", email="new@example.org", unconfirmed=True)
    response = _sign_in(client, "new@example.org", password)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:confirm")
    assert "_auth_user_id" not in client.session
    # …but a wrong password reveals nothing about the account
    client.session.flush()
    response = _sign_in(client, "new@example.org", "wrong-password")
    assert response.status_code == 422


def test_deactivated_account_cannot_sign_in(client, password):
    UserFactory(username="gone", is_active=False, email_confirmed_at="2026-01-01T00:00Z")
    response = _sign_in(client, "gone", password)
    assert response.status_code == 422
    assert "_auth_user_id" not in client.session


def test_sign_out(client, password):
    UserFactory(username="anna")
    _sign_in(client, "anna", password)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
