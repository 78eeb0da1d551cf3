"""A staff member without an authenticator cannot attach one with the password alone: the
enrolment needs a one-time code an administrator issued (people page or admin), used once,
expiring after 24 hours, and both issuing and using it are audited."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.accounts.models import Authenticator, Role, SecondFactorEnrolmentCode
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory, sign_in_with_second_factor

from .factories import totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SETUP = reverse("accounts:second_factor_setup")
PEOPLE = reverse("accounts:people")


@pytest.fixture
def newcomer(password):
    """An operator of the city hall who has never set up an authenticator."""
    membership = MembershipFactory(role=Role.OPERATOR, user__username="newcomer")
    membership.user.set_password(password)
    membership.user.save()
    return membership


@pytest.fixture
def administrator(newcomer):
    admin = MembershipFactory(
        role=Role.ADMINISTRATOR, organisation=newcomer.organisation, user__username="boss"
    ).user
    return admin


def _password_step(client, password):
    return client.post(LOGIN, {"login": "newcomer", "password": password})


def _issue_on_the_people_page(administrator, newcomer) -> str:
    admin_client = Client()
    sign_in_with_second_factor(admin_client, administrator)
    response = admin_client.post(
        PEOPLE,
        {
            "organisation": newcomer.organisation.pk,
            "membership": newcomer.pk,
            "action": "enrolment_code",
        },
        follow=True,
    )
    assert response.status_code == 200
    return re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", response.content.decode())[1]


def test_password_alone_does_not_show_the_authenticator_secret(client, password, newcomer):
    _password_step(client, password)
    page = client.get(SETUP)
    assert page.status_code == 200
    text = page.content.decode()
    assert "qr-code" not in text and 'id="totp-secret"' not in text
    assert 'name="enrolment_code"' in text
    assert not Authenticator.objects.filter(user=newcomer.user).exists()
    # A TOTP code posted straight away is not an enrolment either.
    assert client.post(SETUP, {"code": "123456"}).status_code == 422
    assert not Authenticator.objects.filter(user=newcomer.user).exists()


def test_administrator_issues_a_code_that_lets_the_staff_member_enrol_once(
    client, password, newcomer, administrator
):
    code = _issue_on_the_people_page(administrator, newcomer)
    stored = SecondFactorEnrolmentCode.objects.get(user=newcomer.user)
    assert code.replace("-", "") not in stored.code_hash  # only an HMAC is kept

    _password_step(client, password)
    assert client.post(SETUP, {"enrolment_code": code.lower()})["Location"] == SETUP
    page = client.get(SETUP).content.decode()
    assert "qr-code" in page
    device = Authenticator.objects.get(user=newcomer.user)
    assert client.post(SETUP, {"code": totp_code(device)}).status_code == 302

    # Used once: another browser with the same password and code gets nowhere.
    device.delete()
    other = Client()
    _password_step(other, password)
    response = other.post(SETUP, {"enrolment_code": code})
    assert response.status_code == 422
    assert "Wrong, used or expired enrolment code" in response.content.decode()

    actions = set(
        AuditRecord.objects.filter(object_id=str(newcomer.user.pk)).values_list("action", flat=True)
    )
    assert {
        "accounts.second_factor_enrolment_code_issued",
        "accounts.second_factor_enrolment_code_used",
        "accounts.second_factor_enrolled",
    } <= actions
    issued = AuditRecord.objects.get(action="accounts.second_factor_enrolment_code_issued")
    assert issued.actor_id == administrator.pk


def test_enrolment_code_expires_after_a_day(
    client, password, newcomer, administrator, time_machine
):
    time_machine.move_to("2026-03-02 09:00:00+03:00", tick=False)
    code = _issue_on_the_people_page(administrator, newcomer)
    time_machine.shift(24 * 3600 + 1)
    _password_step(client, password)
    response = client.post(SETUP, {"enrolment_code": code})
    assert response.status_code == 422


def test_only_administrators_issue_enrolment_codes(newcomer):
    operator_client = Client()
    operator = MembershipFactory(role=Role.OPERATOR, organisation=newcomer.organisation).user
    sign_in_with_second_factor(operator_client, operator)
    response = operator_client.post(
        PEOPLE,
        {
            "organisation": newcomer.organisation.pk,
            "membership": newcomer.pk,
            "action": "enrolment_code",
        },
    )
    assert response.status_code == 403
    assert not SecondFactorEnrolmentCode.objects.exists()


def test_admin_action_issues_a_code(client, newcomer):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    sign_in_with_second_factor(client, superuser)
    response = client.post(
        "/admin/accounts/user/",
        {"action": "issue_enrolment_code", "_selected_action": [newcomer.user.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Enrolment code for newcomer" in response.content.decode()
    assert SecondFactorEnrolmentCode.objects.filter(user=newcomer.user).count() == 1
