"""Bearer tokens have a name, scopes (read / submit / staff), an expiry and a last use; their
owner lists, creates and revokes them on a page, administrators in the admin site
(issue 12, item 3)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityhall.accounts.models import ApiToken, Role
from cityhall.accounts.tokens import create_api_token
from cityhall.core.models import AuditRecord
from tests.factories import MembershipFactory, UserFactory, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

ME = "/api/v1/accounts/me"
TICKETS = "/api/v1/support/tickets"
TOKENS = reverse("accounts:api_tokens")
TICKET = {"topic": "technical", "message": "The map does not open.", "page_url": "app:map"}


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_read_only_token_reads_but_cannot_submit(client):
    person = UserFactory()
    token = create_api_token(user=person, name="dashboard", scopes=["read"])
    assert client.get(ME, headers=_bearer(token)).status_code == 200
    refused = client.post(TICKETS, TICKET, content_type="application/json", headers=_bearer(token))
    assert refused.status_code == 403 and "submit" in refused.json()["detail"]


def test_a_submit_only_token_submits_but_cannot_read(client):
    token = create_api_token(user=UserFactory(), name="kiosk", scopes=["submit"])
    posted = client.post(TICKETS, TICKET, content_type="application/json", headers=_bearer(token))
    assert posted.status_code == 201
    assert client.get(ME, headers=_bearer(token)).status_code == 403


def test_without_the_staff_scope_a_staff_member_holds_no_role(client):
    membership = MembershipFactory(role=Role.ADMINISTRATOR)
    staff = membership.user
    people = f"/api/v1/accounts/organisations/{membership.organisation_id}/people"
    resident_token = create_api_token(user=staff, name="own requests", scopes=["read", "submit"])
    staff_token = create_api_token(user=staff, name="people")
    assert client.get(people, headers=_bearer(resident_token)).status_code == 403
    assert client.get(people, headers=_bearer(staff_token)).status_code == 200
    assert ApiToken.objects.get(name="people").scopes == "read submit staff"


def test_an_expired_token_no_longer_works(client):
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        token = create_api_token(
            user=UserFactory(), name="trial", expires_at=timezone.now() + dt.timedelta(days=30)
        )
        assert client.get(ME, headers=_bearer(token)).status_code == 200
        traveller.shift(dt.timedelta(days=31))
        assert client.get(ME, headers=_bearer(token)).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(client, django_assert_num_queries):
    token = create_api_token(user=UserFactory(), name="app")
    with time_machine.travel("2026-03-02 10:00 +03:00", tick=False) as traveller:
        client.get(ME, headers=_bearer(token))
        first = ApiToken.objects.get().last_used_at
        traveller.shift(30)
        client.get(ME, headers=_bearer(token))
        assert ApiToken.objects.get().last_used_at == first
        traveller.shift(31)
        client.get(ME, headers=_bearer(token))
        assert ApiToken.objects.get().last_used_at > first


def test_owner_creates_lists_and_revokes_tokens_on_the_page(client):
    person = UserFactory(username="anna")
    client.force_login(person)
    page = client.get(TOKENS)
    assert page.status_code == 200 and 'value="staff"' not in page.content.decode()
    created = client.post(TOKENS, {"name": "my script", "scopes": ["read"], "days": "30"})
    assert created.status_code == 201
    token = re.search(r'<code id="new-token">(ch_[^<]+)</code>', created.content.decode()).group(1)
    row = ApiToken.objects.get(user=person)
    assert row.name == "my script" and row.scopes == "read"
    assert row.expires_at.date() == (timezone.now() + dt.timedelta(days=30)).date()
    assert client.get(ME, headers=_bearer(token)).status_code == 200
    listing = client.get(TOKENS).content.decode()
    assert "my script" in listing and token not in listing and row.prefix in listing
    revoked = client.post(TOKENS, {"revoke": row.pk})
    assert revoked.status_code == 302
    assert Client().get(ME, headers=_bearer(token)).status_code == 401
    assert AuditRecord.objects.filter(action="api_token.created", actor_id=person.pk).exists()
    assert AuditRecord.objects.filter(action="api_token.revoked", actor_id=person.pk).exists()


def test_nobody_revokes_someone_elses_token_on_the_page(client):
    other = create_api_token(user=UserFactory(), name="theirs")
    client.force_login(UserFactory())
    row = ApiToken.objects.get()
    assert client.post(TOKENS, {"revoke": row.pk}).status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    assert other


def test_staff_may_create_a_staff_token_residents_may_not(client):
    staff = MembershipFactory(role=Role.DISPATCHER).user
    sign_in_with_second_factor(client, staff)
    assert 'value="staff"' in client.get(TOKENS).content.decode()
    client.post(TOKENS, {"name": "dispatch", "scopes": ["read", "staff"], "days": "90"})
    assert ApiToken.objects.get().scopes == "read staff"
    client.force_login(UserFactory())
    refused = client.post(TOKENS, {"name": "x", "scopes": ["staff"], "days": "90"})
    assert refused.status_code == 422


def test_administrators_revoke_any_token_in_the_admin_site(client):
    root = UserFactory(is_superuser=True, is_staff=True)
    create_api_token(user=UserFactory(), name="leaked")
    sign_in_with_second_factor(client, root)
    row = ApiToken.objects.get()
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200 and "leaked" in listing.content.decode()
    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert ApiToken.objects.get().revoked_at is not None
    assert AuditRecord.objects.filter(action="api_token.revoked", actor_id=root.pk).exists()
