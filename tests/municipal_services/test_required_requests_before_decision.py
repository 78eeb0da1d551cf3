"""A variant that requires an interdepartmental request (issue 15: "large needs a land-registry
request" is in the definition, not in staff habits): through the case page, the decision is
refused with a clear message until the request was sent and answered, or marked not needed by
staff with a reason (kept in the history and the audit)."""

from __future__ import annotations

import copy

import pytest

from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, StandardRequestType

from .factories import BASE_DEFINITION, Department, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    dept = Department()
    registry = Department("Committee of Land and Property Relations")
    kind = StandardRequestType.objects.create(
        code="land-registry-extract",
        name=texts("Выписка из реестра", "Land registry extract"),
        form_schema={"type": "object", "properties": {"applicant_name": {"type": "string"}}},
        addressee=registry.org,
    )
    variants = copy.deepcopy(BASE_DEFINITION["variants"])
    variants[1]["requests"] = ["land-registry-extract"]
    application = submitted_application(published_service(dept, variants=variants))
    assert application.variant == "general"
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(
        application=application, actor=dept.expert, conclusion="Можно", proposed="approve"
    )
    return dept, registry, kind, application


def _decide(client, application):
    return client.post(
        f"/services/applications/{application.pk}/act/",
        {"action": "decide", "outcome": "approve"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()


def test_a_case_is_not_decided_until_its_required_request_is_answered(client, case):
    dept, registry, kind, application = case
    client.force_login(dept.decider)
    page = _decide(client, application)
    assert "The case cannot be decided yet" in page and "Land registry extract" in page
    assert "not sent" in page
    application.refresh_from_db()
    assert application.status == Application.Status.DECISION
    sent = services.send_standard_request(
        application=application, actor=dept.decider, type=kind, payload={}
    )
    assert "The case cannot be decided yet" in _decide(client, application)  # sent, no answer
    handler = registry.operator
    services.accept_standard_request(request=sent, actor=handler)
    services.answer_standard_request(request=sent, actor=handler, answer="Участок свободен")
    page = _decide(client, application)
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED, page


def test_staff_mark_a_required_request_not_needed_with_a_reason_then_decide(client, case):
    dept, registry, kind, application = case
    client.force_login(dept.decider)
    act = f"/services/applications/{application.pk}/act/"
    page = client.post(
        act,
        {"action": "waive_request", "type_code": kind.code, "reason": " "},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Say why the request is not needed for this case." in page
    client.post(
        act,
        {"action": "waive_request", "type_code": kind.code, "reason": "Выписка уже в деле"},
    )
    event = application.events.get(kind="request_waived")
    assert event.text == "Выписка уже в деле" and event.internal and event.actor == dept.decider
    assert AuditRecord.objects.filter(action="municipal_services.request_waived").exists()
    page = client.get(f"/services/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert "marked as not needed (Выписка уже в деле)" in page.content.decode()
    _decide(client, application)
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED


def test_only_the_cases_staff_mark_only_a_required_request_not_needed(client, case):
    dept, registry, kind, application = case
    act = f"/services/applications/{application.pk}/act/"
    client.force_login(application.applicant)
    refused = client.post(act, {"action": "waive_request", "type_code": kind.code, "reason": "x"})
    assert refused.status_code == 403
    client.force_login(dept.decider)
    unknown = client.post(act, {"action": "waive_request", "type_code": "other", "reason": "x"})
    assert unknown.status_code == 404
    assert not application.events.filter(kind="request_waived").exists()
