"""Standard interdepartmental requests: sent → accepted → answered / rejected / expired with
their documents; the case shows their status; the periodic job expires late ones; they are
counted on their own."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.municipal_services import services, tasks
from cityhall.municipal_services.models import StandardRequest, StandardRequestType
from cityhall.municipal_services.selectors import standard_requests_report

from .factories import PDF_BYTES, Department, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    dept = Department()
    registry = Department("Committee of Land and Property Relations")
    kind = StandardRequestType.objects.create(
        code="land-registry-extract",
        name=texts("Выписка из реестра земельных участков", "Land registry extract"),
        form_schema={
            "type": "object",
            "properties": {
                "cadastral_number": {"type": "string", "pattern": "^16:50:[0-9]+:[0-9]+$"}
            },
            "required": ["cadastral_number"],
        },
        addressee=registry.org,
        answer_days=5,
    )
    application = submitted_application(published_service(dept))
    services.accept_application(application=application, actor=dept.operator)
    return dept, registry, kind, application


def test_a_request_is_sent_accepted_and_answered_with_a_document(client, world):
    dept, registry, kind, application = world
    with pytest.raises(InvalidInput) as exc:
        services.send_standard_request(
            application=application,
            actor=dept.expert,
            type=kind,
            payload={"cadastral_number": "12345"},
        )
    assert "cadastral_number" in exc.value.fields
    client.force_login(dept.expert)
    client.post(
        f"/services/applications/{application.pk}/act/",
        {
            "action": "send_request",
            "type": kind.pk,
            "payload": '{"cadastral_number": "16:50:110101:42"}',
        },
    )
    request = StandardRequest.objects.get()
    assert request.status == StandardRequest.Status.SENT
    assert request.addressee == registry.org
    with pytest.raises(Forbidden):  # only the addressee department handles it
        services.accept_standard_request(request=request, actor=dept.operator)

    client.force_login(registry.operator)
    desk = client.get("/services/requests/")
    assert "16:50:110101:42" in desk.content.decode()
    client.post(f"/services/requests/{request.pk}/act/", {"action": "accept"})
    client.post(
        f"/services/requests/{request.pk}/act/",
        {
            "action": "answer",
            "answer": "Owner: the city; category: settlements",
            "document": SimpleUploadedFile("extract.pdf", PDF_BYTES),
        },
    )
    request.refresh_from_db()
    assert request.status == StandardRequest.Status.ANSWERED
    assert request.answer_stored.file.read() == PDF_BYTES
    client.force_login(dept.expert)
    page = client.get(f"/services/applications/{application.pk}/")
    assert "Land registry extract" in page.content.decode()
    assert "Answered" in page.content.decode()
    # the answer file is linked for the case's staff and opens for them, not for the applicant
    assert request.answer_stored.url in page.content.decode()
    assert client.get(request.answer_stored.url).status_code == 200
    client.force_login(application.applicant)
    assert (
        request.answer_stored.url
        not in client.get(f"/services/applications/{application.pk}/").content.decode()
    )
    assert client.get(request.answer_stored.url).status_code == 404
    client.force_login(dept.expert)
    with pytest.raises(Conflict):
        services.reject_standard_request(request=request, actor=registry.operator, reason="x")


def test_the_periodic_job_expires_requests_past_their_term(world):
    dept, registry, kind, application = world
    late = services.send_standard_request(
        application=application,
        actor=dept.expert,
        type=kind,
        payload={"cadastral_number": "16:50:1:2"},
    )
    fresh = services.send_standard_request(
        application=application,
        actor=dept.expert,
        type=kind,
        payload={"cadastral_number": "16:50:1:3"},
    )
    answered = services.send_standard_request(
        application=application,
        actor=dept.expert,
        type=kind,
        payload={"cadastral_number": "16:50:1:4"},
    )
    services.answer_standard_request(request=answered, actor=registry.operator, answer="done")
    StandardRequest.objects.filter(pk__in=[late.pk, answered.pk]).update(
        due_at=timezone.now() - dt.timedelta(hours=1)
    )
    tasks.expire_standard_requests_task.call_local()
    statuses = dict(StandardRequest.objects.values_list("pk", "status"))
    assert statuses == {late.pk: "expired", fresh.pk: "sent", answered.pk: "answered"}
    assert application.events.filter(kind="request_expired").count() == 1
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        assert services.expire_standard_requests() == 1  # the fresh one, a month later


def test_requests_are_counted_on_their_own(world):
    dept, registry, kind, application = world
    first = services.send_standard_request(
        application=application,
        actor=dept.expert,
        type=kind,
        payload={"cadastral_number": "16:50:1:2"},
    )
    services.send_standard_request(
        application=application,
        actor=dept.expert,
        type=kind,
        payload={"cadastral_number": "16:50:1:3"},
    )
    services.reject_standard_request(request=first, actor=registry.operator, reason="No such plot")
    report = standard_requests_report()
    assert {(r["type__code"], r["status"], r["count"]) for r in report} == {
        ("land-registry-extract", "rejected", 1),
        ("land-registry-extract", "sent", 1),
    }
