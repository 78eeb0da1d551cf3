"""Staff sign in with a second factor (TOTP); staff pages, the staff API and the admin refuse
a session without it; authenticator enrolment; lockout after wrong codes."""

from __future__ import annotations

import base64
import re

import pytest
import time_machine
from django.urls import reverse

from cityhall.accounts.models import Authenticator, Role
from cityhall.accounts.services import issue_enrolment_code
from cityhall.accounts.tokens import create_api_token
from cityhall.core.models import AuditRecord
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sign_in_with_second_factor,
)

from .factories import totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:second_factor")
SETUP = reverse("accounts:second_factor_setup")
PEOPLE = reverse("accounts:people")


@pytest.fixture
def administrator():
    membership = MembershipFactory(role=Role.ADMINISTRATOR, user__username="boss")
    return membership.user


@pytest.fixture
def device(administrator):
    return Authenticator.objects.create(user=administrator, name="authenticator", confirmed=True)


def _password_step(client, password, login="boss", next_url=""):
    data = {"login": login, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def test_staff_password_alone_does_not_sign_in(client, password, device):
    response = _password_step(client, password)
    assert response.status_code == 302 and response["Location"] == CODE
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("accounts:profile")).status_code == 302  # still signed out
    page = client.get(CODE)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_right_code_signs_in_and_opens_staff_pages(client, password, device):
    _password_step(client, password, next_url=PEOPLE)
    response = client.post(CODE, {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == PEOPLE
    assert int(client.session["_auth_user_id"]) == device.user_id
    assert client.get(PEOPLE).status_code == 200


def test_wrong_code_is_refused(client, password, device):
    _password_step(client, password)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 422
    assert "Wrong code" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_codes_lock_out_even_the_right_code(client, password, device):
    _password_step(client, password)
    right = totp_code(device)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    statuses = [client.post(CODE, {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [422] * 5
    locked = client.post(CODE, {"code": right})
    assert locked.status_code == 429
    assert "Too many wrong codes" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    record = AuditRecord.objects.get(action="accounts.sign_in_locked")
    assert record.object_id == str(device.user_id) and record.message == "totp"


def test_pending_second_step_expires(client, password, device):
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        _password_step(client, password)
        traveller.shift(11 * 60)
        response = client.post(CODE, {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def _enrolment_code_for(person) -> str:
    return issue_enrolment_code(actor=UserFactory(is_superuser=True), user=person)


def test_staff_without_authenticator_enrols_with_qr_code(client, password, administrator):
    response = _password_step(client, password)
    assert response["Location"] == CODE
    assert client.get(CODE)["Location"] == SETUP
    code = _enrolment_code_for(administrator)
    assert client.post(SETUP, {"enrolment_code": code})["Location"] == SETUP
    page = client.get(SETUP)
    text = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in text and "qr-code" in text  # drawn inline, no external service
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', text).group(1)
    device = Authenticator.objects.get(user=administrator)
    assert not device.confirmed
    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # reloading keeps the same secret
    assert secret in client.get(SETUP).content.decode()

    response = client.post(SETUP, {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert int(client.session["_auth_user_id"]) == administrator.pk
    assert client.get(PEOPLE).status_code == 200
    assert AuditRecord.objects.filter(
        action="accounts.second_factor_enrolled", object_id=str(administrator.pk)
    ).exists()


def test_enrolment_with_a_wrong_code_confirms_nothing(client, password, administrator):
    _password_step(client, password)
    client.post(SETUP, {"enrolment_code": _enrolment_code_for(administrator)})
    client.get(SETUP)
    device = Authenticator.objects.get(user=administrator)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    assert client.post(SETUP, {"code": wrong}).status_code == 422
    device.refresh_from_db()
    assert not device.confirmed
    assert "_auth_user_id" not in client.session


def test_session_without_second_factor_is_refused_by_staff_pages(client, administrator):
    client.force_login(administrator)  # a session that never passed the code
    response = client.get(PEOPLE)
    assert response.status_code == 302
    assert response["Location"].startswith(CODE)


def test_session_without_second_factor_is_refused_by_the_staff_api(client, administrator):
    organisation = administrator.memberships.get().organisation
    url = f"/api/v1/accounts/organisations/{organisation.pk}/people"
    client.force_login(administrator)
    refused = client.get(url)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    sign_in_with_second_factor(client, administrator)
    assert client.get(url).status_code == 200


def test_bearer_tokens_are_exempt_from_the_second_factor(client, administrator):
    organisation = administrator.memberships.get().organisation
    token = create_api_token(user=administrator, name="integration")
    response = client.get(
        f"/api/v1/accounts/organisations/{organisation.pk}/people",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert [row["username"] for row in response.json()] == ["boss"]


def test_second_factor_can_be_switched_off(client, settings, administrator, password):
    settings.STAFF_REQUIRE_OTP = False
    response = _password_step(client, password)
    assert response["Location"] == reverse("portal:cabinet")
    assert client.get(PEOPLE).status_code == 200


def test_residents_are_not_asked_for_a_code(client, password):
    UserFactory(username="resident")
    response = _password_step(client, password, login="resident")
    assert response["Location"] == reverse("portal:cabinet")


def test_representative_of_a_company_is_not_asked_for_a_code(client, password):
    MembershipFactory(
        role=Role.REPRESENTATIVE,
        user=UserFactory(username="rep", business=True),
        organisation=OrganisationFactory(legal_entity=True),
    )
    response = _password_step(client, password, login="rep")
    assert response["Location"] == reverse("portal:cabinet")


def test_admin_site_requires_the_second_factor(client, password):
    root = UserFactory(username="root", superuser=True)
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/")
    assert client.get(anonymous["Location"])["Location"].startswith(LOGIN)
    # the admin's own password form cannot be used to skip the second factor
    client.post("/admin/login/", {"username": "root", "password": password})
    assert "_auth_user_id" not in client.session

    client.force_login(root)
    response = client.get("/admin/", follow=True)
    hops = [url for url, _status in response.redirect_chain]
    assert any(url.startswith(CODE) for url in hops)
    assert hops[-1].startswith(SETUP)  # no authenticator yet: set one up first
    sign_in_with_second_factor(client, root)
    assert client.get("/admin/").status_code == 200
