"""Resetting a forgotten password with a code sent to the e-mail or phone, and changing it
while signed in: at least 12 characters, not common, not like the person; no answer tells
whether an address has an account (issue 12, item 3)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from cityhall.core.models import AuditRecord
from cityhall.notifications.models import SmsLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
CODE = reverse("accounts:password_reset_code")
CHANGE = reverse("accounts:password_change")
LOGIN = reverse("accounts:login")
NEW = "rivers-of-kazan-at-dawn"


@pytest.fixture(autouse=True)
def _deliver_on_commit(monkeypatch):
    """Messages are delivered after commit; in these tests, at once."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


def _code_from_email() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _visible(response) -> str:
    """The page without its CSRF token (which differs on every page)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_forgotten_password_is_reset_with_the_code_sent_by_email(client, password):
    person = UserFactory(username="anna", email="anna@example.org")
    asked = client.post(RESET, {"contact": "Anna@Example.org"}, follow=True)
    assert asked.redirect_chain[-1][0] == CODE
    assert "If an account has this e-mail or phone" in asked.content.decode()
    done = client.post(
        CODE,
        {
            "contact": "anna@example.org",
            "code": _code_from_email(),
            "password": NEW,
            "password_again": NEW,
        },
    )
    assert done.status_code == 302 and done["Location"] == LOGIN
    assert client.post(LOGIN, {"login": "anna", "password": NEW}).status_code == 302
    assert AuditRecord.objects.filter(
        action="accounts.password_reset", object_id=str(person.pk)
    ).exists()


def test_reset_by_sms_code(client, settings):
    settings.NOTIFICATIONS_SMS_BACKEND = getattr(settings, "NOTIFICATIONS_SMS_BACKEND", None)
    UserFactory(username="anna", email=None, phone="+79171234567")
    client.post(RESET, {"contact": "8 917 123-45-67"})
    text = SmsLog.objects.order_by("-pk").first().text
    code = re.search(r"\b(\d{6})\b", text).group(1)
    done = client.post(
        CODE,
        {"contact": "+79171234567", "code": code, "password": NEW, "password_again": NEW},
    )
    assert done.status_code == 302


def test_asking_for_a_code_answers_the_same_whether_or_not_the_account_exists():
    UserFactory(username="anna", email="anna@example.org")
    known = Client().post(RESET, {"contact": "anna@example.org"}, follow=True)
    unknown = Client().post(RESET, {"contact": "nobody@example.org"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert _visible(known).replace("anna@example.org", "X") == _visible(unknown).replace(
        "nobody@example.org", "X"
    )
    assert len(mail.outbox) == 1  # only the real account got a message


def test_a_code_for_an_address_without_account_is_just_a_wrong_code():
    UserFactory(username="anna", email="anna@example.org")
    client = Client()
    client.post(RESET, {"contact": "anna@example.org"}, follow=True)
    answers = [
        client.post(
            CODE, {"contact": contact, "code": "000000", "password": NEW, "password_again": NEW}
        )
        for contact in ("anna@example.org", "nobody@example.org")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert _visible(answers[0]).replace("anna@example.org", "X") == _visible(answers[1]).replace(
        "nobody@example.org", "X"
    )


@pytest.mark.parametrize(
    ("new", "problem"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("anna.ivanova.example", "too similar"),
    ],
    ids=["short", "common", "like-the-person"],
)
def test_new_password_must_be_long_uncommon_and_unlike_the_person(client, password, new, problem):
    UserFactory(username="anna", email="anna.ivanova@example.org")
    client.post(RESET, {"contact": "anna.ivanova@example.org"})
    refused = client.post(
        CODE,
        {
            "contact": "anna.ivanova@example.org",
            "code": _code_from_email(),
            "password": new,
            "password_again": new,
        },
    )
    assert refused.status_code == 422 and problem in refused.content.decode()


def test_wrong_codes_use_up_the_code(client):
    UserFactory(username="anna", email="anna@example.org")
    client.post(RESET, {"contact": "anna@example.org"})
    code = _code_from_email()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        client.post(
            CODE,
            {"contact": "anna@example.org", "code": wrong, "password": NEW, "password_again": NEW},
        )
    late = client.post(
        CODE, {"contact": "anna@example.org", "code": code, "password": NEW, "password_again": NEW}
    )
    assert late.status_code == 422


def test_one_client_cannot_send_codes_to_many_phones():
    """No SMS pumping: fresh numbers from one client address are cut off after a few."""
    for n in range(20):
        UserFactory(username=f"p{n}", email=None, phone=f"+7917000{n:04d}")
    client = Client(REMOTE_ADDR="203.0.113.7")
    statuses = [client.post(RESET, {"contact": f"+7917000{n:04d}"}).status_code for n in range(20)]
    assert statuses.count(302) == 5 and statuses[5:] == [429] * 15
    assert SmsLog.objects.count() == 5


def test_signed_in_person_changes_the_password_and_other_sessions_end(client, password):
    person = UserFactory(username="anna")
    other = Client()
    other.force_login(person)
    client.force_login(person)
    page = client.get(CHANGE)
    assert page.status_code == 200 and 'autocomplete="new-password"' in page.content.decode()
    wrong = client.post(
        CHANGE, {"current_password": "guess", "password": NEW, "password_again": NEW}
    )
    assert wrong.status_code == 422
    done = client.post(
        CHANGE, {"current_password": password, "password": NEW, "password_again": NEW}
    )
    assert done.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert AuditRecord.objects.filter(action="accounts.password_changed").count() == 1


def test_password_pages_are_reachable_from_sign_in_and_profile(client):
    assert RESET in client.get(LOGIN).content.decode()
    client.force_login(UserFactory(username="anna"))
    assert CHANGE in client.get(reverse("accounts:profile")).content.decode()
