"""Initiation: a resident, business, land owner or authority requests a discussion; the
organiser accepts or refuses with a reason, and the initiator is told."""

from __future__ import annotations

import pytest
from django.core import mail

from cityhall.core.errors import InvalidInput
from cityhall.discussions import services
from cityhall.discussions.models import InitiationRequest

from .factories import DocumentTypeFactory

pytestmark = pytest.mark.django_db


def test_request_and_refusal_with_reason(
    client, council, organiser, resident, django_capture_on_commit_callbacks
):
    permit = DocumentTypeFactory(code="deviation_permit", name="Deviation permit")
    client.force_login(resident)
    response = client.post(
        "/discussions/initiate/",
        {
            "initiator_kind": "land_owner",
            "organiser": council.pk,
            "document_type": permit.pk,
            "title": "Отклонение от предельных параметров",
            "description": "Прошу провести обсуждение",
        },
    )
    assert response.status_code == 302
    request = InitiationRequest.objects.get()
    with pytest.raises(InvalidInput):
        services.decide_initiation(actor=organiser, request=request, accept=False)
    client.force_login(organiser)
    assert (
        "Отклонение от предельных параметров"
        in client.get("/discussions/manage/initiations/").content.decode()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/discussions/manage/initiations/",
            {"request": request.pk, "decision": "refuse", "reason": "Участок не в черте города"},
        )
    request.refresh_from_db()
    assert request.state == "refused" and request.refusal_reason == "Участок не в черте города"
    assert "Участок не в черте города" in mail.outbox[0].body


def test_accept_then_create_the_discussion_from_it(client, council, organiser, resident):
    request = services.request_initiation(
        initiator=resident,
        initiator_kind="resident",
        organiser=council,
        document_type=DocumentTypeFactory(),
        title="Сквер",
        description="Обсудить сквер",
    )
    services.decide_initiation(actor=organiser, request=request, accept=True)
    request.refresh_from_db()
    assert request.state == "accepted" and request.decided_by == organiser
    client.force_login(organiser)
    page = client.get("/discussions/manage/initiations/").content.decode()
    assert f"?initiation={request.pk}" in page
    form = client.get(f"/discussions/manage/new/?initiation={request.pk}").context["form"]
    assert form.initial["title"] == "Сквер"
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    start = timezone.localtime() + dt.timedelta(days=10)
    end = (start + dt.timedelta(days=5)).date()
    response = client.post(
        "/discussions/manage/new/",
        {
            "initiation": request.pk,
            "title": "Сквер",
            "document_type": request.document_type_id,
            "organiser": council.pk,
            "allow_residents": "on",
            "notice_date": today.isoformat(),
            "exposition_start": start.strftime("%Y-%m-%dT%H:%M"),
            "exposition_end": end.isoformat(),
            "proposal_deadline": f"{end.isoformat()}T17:00",
            "conclusion_due": (end + dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    request.refresh_from_db()
    assert request.discussion.title == "Сквер"
