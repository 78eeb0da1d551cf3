"""``cityhall create_api_token`` and bearer authentication on /api/v1/accounts/me."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from cityhall.accounts import services
from cityhall.accounts.models import ApiToken, Role, VerifiedIdentity
from cityhall.accounts.tokens import user_for_token
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory

from .factories import attributes

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"


def _token_for(username: str) -> str:
    out = io.StringIO()
    call_command("create_api_token", username, "--name", "tests", stdout=out)
    return out.getvalue().strip()


def test_command_prints_a_token_that_authenticates_the_api(client):
    person = UserFactory(username="integration", first_name="Ильдар", last_name="Сафин")
    token = _token_for("integration")
    assert token.startswith("ch_")
    row = ApiToken.objects.get(user=person)
    assert token not in (row.token_hash, row.prefix)  # only a hash is stored
    assert AuditRecord.objects.filter(action="api_token.created").exists()

    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "integration"
    assert body["full_name"] == "Сафин Ильдар"
    assert body["is_verified"] is False and body["identity"] is None


def test_me_shows_roles_and_the_verified_identity_masked(client):
    membership = MembershipFactory(role=Role.DISPATCHER, user__username="disp")
    services.apply_verification(
        person=membership.user,
        attributes=attributes(document_number="9215 654321"),
        method=VerifiedIdentity.Method.OIDC,
        actor=None,
    )
    token = _token_for("disp")
    body = client.get(ME, headers={"Authorization": f"Bearer {token}"}).json()
    assert body["roles"] == [
        {
            "organisation_id": membership.organisation_id,
            "organisation": str(membership.organisation),
            "role": "dispatcher",
        }
    ]
    assert body["identity"]["document_masked"] == "*******321"
    assert "654321" not in str(body)
    assert body["identity"]["age"] >= 35


def test_wrong_or_revoked_token_is_refused(client):
    UserFactory(username="integration")
    token = _token_for("integration")
    assert client.get(ME, headers={"Authorization": "Bearer ch_wrong"}).status_code == 401
    ApiToken.objects.update(revoked_at="2026-01-01T00:00Z")
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_deactivated_person_loses_api_access(client):
    person = UserFactory(username="integration")
    token = _token_for("integration")
    services.deactivate_user(actor=None, user=person, reason="left the company")
    assert client.get(ME, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert ApiToken.objects.get(user=person).revoked_at is not None


def test_a_token_lookup_is_one_query_and_records_use_at_most_once_a_minute(
    django_assert_num_queries,
):
    person = UserFactory(username="integration")
    token = _token_for("integration")
    row = ApiToken.objects.get(user=person)
    assert row.last_used_at is None

    with django_assert_num_queries(2):  # the lookup, and the first use written
        assert user_for_token(token) == person
    row.refresh_from_db()
    first_use = row.last_used_at
    assert first_use is not None

    with django_assert_num_queries(1):  # within the minute: no write
        found = user_for_token(token)
    assert (found.pk, found.username, found.is_active) == (person.pk, "integration", True)
    row.refresh_from_db()
    assert row.last_used_at == first_use

    ApiToken.objects.filter(pk=row.pk).update(last_used_at=first_use - dt.timedelta(minutes=2))
    with django_assert_num_queries(2):
        assert user_for_token(token) == person
    row.refresh_from_db()
    assert row.last_used_at > first_use - dt.timedelta(minutes=2)

    ApiToken.objects.filter(pk=row.pk).update(revoked_at=timezone.now())
    assert user_for_token(token) is None
    assert user_for_token("ch_not-a-token") is None
