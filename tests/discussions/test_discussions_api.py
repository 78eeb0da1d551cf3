"""The API: submit for eligible users with the same rules as the page, readable errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityhall.discussions.models import Discussion

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
