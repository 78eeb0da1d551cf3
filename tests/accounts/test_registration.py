"""Residents and legal entities' representatives register with an e-mail or a phone and
confirm it with a code (sent through the notifications outbox)."""

from __future__ import annotations

import difflib
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from cityhall.accounts.models import ContactConfirmation, Organisation, Role, User
from cityhall.core.models import AuditRecord
from cityhall.notifications.models import Message, SmsLog
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = reverse("accounts:register")
CONFIRM = reverse("accounts:confirm")
PASSWORD = "Kazan-river-2026"


def _form(**overrides) -> dict:
    data = {
        "kind": "resident",
        "last_name": "Галиев",
        "first_name": "Айдар",
        "middle_name": "Ринатович",
        "contact": "aidar@example.org",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "organisation_name": "",
        "inn": "",
        "personal_data_consent": "on",
    }
    data.update(overrides)
    return data


def _register(client, capture, **overrides):
    with capture(execute=True):
        return client.post(REGISTER, _form(**overrides))


def _code_from_email() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _code_from_sms(phone: str) -> str:
    return re.search(r"\b(\d{6})\b", SmsLog.objects.filter(phone=phone).first().text).group(1)


def test_registration_by_email_sends_a_code_and_confirming_it_activates(
    client, django_capture_on_commit_callbacks
):
    response = _register(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == CONFIRM
    person = User.objects.get(email="aidar@example.org")
    assert not person.is_active and person.kind == User.Kind.RESIDENT
    assert person.middle_name == "Ринатович"

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["aidar@example.org"]
    message = Message.objects.get(event="accounts.confirmation_code")
    assert message.address == "aidar@example.org"
    code = _code_from_email()
    confirmation = ContactConfirmation.objects.get(user=person)
    assert code not in confirmation.code_hash  # only an HMAC is stored

    page = client.get(CONFIRM)
    assert "a***@example.org" in page.content.decode()
    response = client.post(CONFIRM, {"code": code, "action": "confirm"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.email_confirmed_at is not None
    assert int(client.session["_auth_user_id"]) == person.pk
    actions = list(
        AuditRecord.objects.filter(object_id=str(person.pk)).values_list("action", flat=True)
    )
    assert actions[:2] == ["accounts.registered", "accounts.contact_confirmed"]


def test_registration_by_phone_sends_an_sms(client, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks, contact="8 (917) 765-43-21")
    person = User.objects.get(phone="+79177654321")
    assert person.email is None and mail.outbox == []
    code = _code_from_sms("+79177654321")
    client.post(CONFIRM, {"code": code, "action": "confirm"})
    person.refresh_from_db()
    assert person.is_active and person.phone_confirmed_at is not None


def _page_without_tokens(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.parametrize(
    ("existing", "taken", "fresh"),
    [
        ({"email": "Aidar@Example.org"}, "aidar@example.org", "anna@example.org"),
        ({"phone": "+79177654321"}, "+7 917 765 43 21", "+7 917 111 43 21"),
    ],
)
def test_registration_does_not_reveal_whether_an_address_has_an_account(
    client, django_capture_on_commit_callbacks, existing, taken, fresh
):
    owner = UserFactory(**existing)
    answers = []
    for contact in (taken, fresh):
        client = Client()  # a fresh browser each time
        response = _register(client, django_capture_on_commit_callbacks, contact=contact)
        confirm_page = client.get(CONFIRM)
        wrong = client.post(CONFIRM, {"code": "000000", "action": "confirm"})
        with django_capture_on_commit_callbacks(execute=True):
            resend = client.post(CONFIRM, {"action": "resend"})
        answers.append(
            (
                response.status_code,
                response["Location"],
                confirm_page.status_code,
                _page_without_tokens(confirm_page),
                wrong.status_code,
                _page_without_tokens(wrong),
                resend.status_code,
                resend["Location"],
            )
        )
    for a, b in zip(answers[0], answers[1], strict=True):
        assert a == b, "\n".join(difflib.unified_diff(str(a).splitlines(), str(b).splitlines()))
    assert answers[0][0] == 302 and answers[0][4] == 422
    # No second account; the owner got a notice instead of a code, and it is audited.
    assert User.objects.filter(pk=owner.pk).count() == 1 and User.objects.count() == 2
    notices = Message.objects.filter(event="accounts.registration_attempt")
    assert notices.count() == 1
    assert not ContactConfirmation.objects.filter(user=owner).exists()
    assert AuditRecord.objects.filter(
        action="accounts.registration_attempt_on_existing", object_id=str(owner.pk)
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"contact": "not an address"}, "contact"),
        ({"password": "123", "password_again": "123"}, "password"),
        ({"password_again": "something-else"}, "password_again"),
        ({"last_name": ""}, "last_name"),
    ],
)
def test_invalid_registration_shows_field_errors(
    client, django_capture_on_commit_callbacks, overrides, field
):
    response = _register(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not User.objects.exists()


def test_wrong_codes_are_limited_and_the_code_expires(client, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        _register(client, django_capture_on_commit_callbacks)
        code = _code_from_email()
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        response = client.post(CONFIRM, {"code": wrong, "action": "confirm"})
        assert response.status_code == 422
        assert "Wrong or expired code" in response.content.decode()
        traveller.shift(16 * 60)
        response = client.post(CONFIRM, {"code": code, "action": "confirm"})
        assert "Wrong or expired code" in response.content.decode()
        assert not User.objects.get().is_active

        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(CONFIRM, {"action": "resend"}).status_code == 302
        fresh = _code_from_email()
        for _ in range(5):
            client.post(CONFIRM, {"code": f"{(int(fresh) + 1) % 1_000_000:06d}"})
        response = client.post(CONFIRM, {"code": fresh, "action": "confirm"})
        assert "Wrong or expired code" in response.content.decode()
        assert not User.objects.get().is_active


def test_new_code_only_after_the_cooldown(client, django_capture_on_commit_callbacks):
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        _register(client, django_capture_on_commit_callbacks)
        first = _code_from_email()
        response = client.post(CONFIRM, {"action": "resend"})
        assert response.status_code == 302  # the same answer; the first code stays good
        assert len(mail.outbox) == 1
        traveller.shift(61)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(CONFIRM, {"action": "resend"})
        assert len(mail.outbox) == 2
        second = _code_from_email()
        if second != first:  # the old code no longer counts
            assert client.post(CONFIRM, {"code": first}).status_code == 422
        assert client.post(CONFIRM, {"code": second}).status_code == 302
        assert User.objects.get().is_active


def test_confirmation_from_another_browser_asks_for_the_address(
    client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks)
    code = _code_from_email()
    client.session.flush()
    page = client.get(CONFIRM)
    assert 'name="contact"' in page.content.decode()
    unknown = client.post(CONFIRM, {"contact": "someone@example.org", "code": code})
    assert "Wrong or expired code" in unknown.content.decode()
    response = client.post(CONFIRM, {"contact": "AIDAR@example.org", "code": code})
    assert response.status_code == 302
    assert User.objects.get().is_active


def test_representative_registers_a_legal_entity(client, django_capture_on_commit_callbacks):
    _register(
        client,
        django_capture_on_commit_callbacks,
        kind="business",
        organisation_name="ООО «Татпромстрой»",
        inn="7707083893",
        contact="director@tatprom.example",
    )
    person = User.objects.get(email="director@tatprom.example")
    assert person.kind == User.Kind.BUSINESS
    company = Organisation.objects.get(inn="7707083893")
    assert company.type == Organisation.Type.LEGAL_ENTITY and not company.is_active
    assert company.memberships.get().user == person
    assert company.memberships.get().role == Role.REPRESENTATIVE

    client.post(CONFIRM, {"code": _code_from_email()})
    company.refresh_from_db()
    assert company.is_active
    assert AuditRecord.objects.filter(
        action="accounts.organisation_activated", object_id=str(company.pk)
    ).exists()


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("7707083890", "valid taxpayer number"),  # wrong check digit
        ("", "valid taxpayer number"),
    ],
)
def test_representative_needs_a_valid_inn(client, django_capture_on_commit_callbacks, inn, message):
    response = _register(
        client,
        django_capture_on_commit_callbacks,
        kind="business",
        organisation_name="ООО «Ромашка»",
        inn=inn,
    )
    assert response.status_code == 422
    assert message in response.content.decode()


def test_an_already_registered_organisation_is_refused(client, django_capture_on_commit_callbacks):
    OrganisationFactory(legal_entity=True, inn="7707083893")
    response = _register(
        client,
        django_capture_on_commit_callbacks,
        kind="business",
        organisation_name="ООО «Другое»",
        inn="7707083893",
    )
    assert response.status_code == 422
    assert "already registered" in response.content.decode()
    assert not User.objects.exists()
