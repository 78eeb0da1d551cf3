"""The API: submit for eligible users with the same rules as the page, readable errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cityhall.accounts.models import VerifiedIdentity
from cityhall.accounts.tokens import create_api_token
from cityhall.discussions.models import Discussion, Proposal

from .factories import verified_person

pytestmark = pytest.mark.django_db


def test_eligible_user_submits_through_the_api(client, discussion, resident):
    client.force_login(resident)
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Через API", "kind": "remark"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 1
    again = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Через API", "kind": "remark"},
        content_type="application/json",
    )
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    item = client.get(f"/api/v1/discussions/{discussion.pk}/proposals/1").json()
    assert item["participant"] == "Participant No. 1" and item["text"] == "Через API"


def test_ineligible_and_late_submissions_through_the_api(client, discussion, outsider, resident):
    client.force_login(outsider)
    refused = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Чужой"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_eligible"
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(seconds=1)
    )
    client.force_login(resident)
    late = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Поздно"},
        content_type="application/json",
    )
    assert late.status_code == 409 and late.json()["code"] == "late"
    assert "deadline has passed" in late.json()["detail"]


def test_anonymous_cannot_submit(client, discussion):
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Аноним"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_with_a_token_the_identity_comes_with_the_person(client, discussion, resident, outsider):
    """An API call with a bearer token: the lookup of the token brings the person's verified
    identity (one query reads it), and eligibility judges it as for a signed-in page."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=resident, name='app')}"}
    table = VerifiedIdentity._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        accepted = client.post(
            f"/api/v1/discussions/{discussion.pk}/proposals",
            {"text": "С токеном"},
            content_type="application/json",
            **headers,
        )
    assert accepted.status_code == 201, accepted.json()
    reads = [q for q in queries.captured_queries if table in q["sql"] and "SELECT" in q["sql"]]
    assert len(reads) == 1 and "token_hash" in reads[0]["sql"]
    proposal = Proposal.objects.get()
    assert proposal.participant.full_name == resident.verified_identity.full_name

    outsider_headers = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=outsider, name='x')}"}
    refused = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Чужой"},
        content_type="application/json",
        **outsider_headers,
    )
    assert refused.status_code == 403 and refused.json()["code"] == "not_eligible"
    unverified = verified_person(username="later")
    VerifiedIdentity.objects.filter(user=unverified).delete()
    nobody = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=unverified, name='n')}"}
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Без проверки"},
        content_type="application/json",
        **nobody,
    )
    assert response.status_code == 403, response.json()
    assert "not verified" in response.json()["detail"]
