"""The API's shared behaviour: OpenAPI schema, health check, auth and the error format."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cityhall.accounts.models import ApiToken
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error"}  # no database error text for the public


def test_openapi_schema_is_published(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "cityhall API"
    assert "/api/v1/accounts/me" in schema["paths"]


def test_anonymous_call_gets_401_in_the_error_format(client):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication required.", "code": "unauthorized"}


def test_unknown_route_is_404_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404


def test_bearer_token_from_the_command_authenticates(client, capsys):
    user = UserFactory(username="maria")
    call_command("create_api_token", "maria", "--name", "mobile app")
    token = capsys.readouterr().out.strip()
    assert token.startswith("ch_") and len(token) > 30
    stored = ApiToken.objects.get(user=user)
    assert token not in (stored.token_hash, stored.prefix)  # only a hash is kept

    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == "maria"

    bad = client.get("/api/v1/accounts/me", headers={"Authorization": "Bearer ch_wrong"})
    assert bad.status_code == 401


def test_revoked_token_is_refused(client, capsys):
    UserFactory(username="ivan")
    call_command("create_api_token", "ivan")
    token = capsys.readouterr().out.strip()
    from django.utils import timezone

    ApiToken.objects.update(revoked_at=timezone.now())
    response = client.get("/api/v1/accounts/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_token_command_for_unknown_user_fails_clearly():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user named"):
        call_command("create_api_token", "nobody")
