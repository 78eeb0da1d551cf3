"""``cityhall totp_setup`` and ``cityhall totp_code``: provisioning and support for staff."""

from __future__ import annotations

import base64
import io
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from cityhall.accounts.models import Authenticator
from cityhall.core.models import AuditRecord
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_totp_setup_creates_a_confirmed_authenticator_and_prints_its_uri():
    person = UserFactory(username="operator", staff=True)
    uri = _run("totp_setup", "operator")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert unquote(parsed.path) == f"/{settings.OTP_TOTP_ISSUER}:operator"
    device = Authenticator.objects.get(user=person)
    assert device.confirmed
    assert base64.b32decode(parse_qs(parsed.query)["secret"][0]) == device.bin_key
    assert AuditRecord.objects.filter(action="accounts.second_factor_provisioned").count() == 1
    # a second run returns the same authenticator; --reset replaces it
    assert _run("totp_setup", "operator") == uri
    assert _run("totp_setup", "operator", "--reset") != uri
    assert Authenticator.objects.filter(user=person).count() == 1


def test_totp_code_prints_the_code_the_authenticator_shows():
    person = UserFactory(username="operator", staff=True)
    _run("totp_setup", "operator")
    code = _run("totp_code", "operator")
    assert len(code) == 6 and code.isdigit()
    device = Authenticator.objects.get(user=person)
    assert device.verify_token(code)


def test_totp_code_signs_a_staff_member_in(client, password):
    UserFactory(username="operator", staff=True)
    _run("totp_setup", "operator")
    client.post("/accounts/login/", {"login": "operator", "password": password})
    response = client.post("/accounts/login/code/", {"code": _run("totp_code", "operator")})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_commands_explain_what_is_missing():
    UserFactory(username="resident")
    with pytest.raises(CommandError, match="no user named 'nobody'"):
        _run("totp_code", "nobody")
    with pytest.raises(CommandError, match="totp_setup resident"):
        _run("totp_code", "resident")
    with pytest.raises(CommandError, match="no user named"):
        _run("totp_setup", "nobody")
