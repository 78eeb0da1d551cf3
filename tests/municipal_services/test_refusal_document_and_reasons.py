"""Refusals (issue 16.19): a refused application gets a decision document like an approved one,
and the reasons at the document check and the decision come from the service's own list
(ticked on the case page), with free text only as an addition."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application

from .factories import Department, published_service, submitted_application, texts

pytestmark = pytest.mark.django_db

REASONS = [
    {"code": "incomplete", "title": texts("Неполный комплект документов", "Incomplete set")},
    {"code": "expired", "title": texts("Истёк срок действия документов", "Documents expired")},
]


@pytest.fixture
def dept():
    return Department()


def _act(client, user, application, data):
    client.force_login(user)
    return client.post(f"/services/applications/{application.pk}/act/", data)


def test_the_document_check_offers_the_services_reasons_and_takes_free_text_as_well(client, dept):
    application = submitted_application(published_service(dept, refusal_reasons=REASONS))
    client.force_login(dept.operator)
    page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert 'name="reason_codes" value="incomplete"' in page
    _act(
        client,
        dept.operator,
        application,
        {"action": "return", "reason_codes": ["incomplete"], "reasons": "Нет подписи на плане"},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert application.return_reasons == ["Неполный комплект документов", "Нет подписи на плане"]
    client.force_login(application.applicant)
    client.cookies["django_language"] = "ru"
    case = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert "Неполный комплект документов" in case and "Нет подписи на плане" in case


def test_a_service_definition_with_a_reason_without_a_title_is_not_published(dept):
    from cityhall.municipal_services.definition import problems_of

    from .factories import definition

    problems = problems_of(definition(refusal_reasons=[{"code": "x"}, {"code": "x"}]))
    assert len(problems["refusal_reasons"]) == 2


def test_a_refusal_produces_a_decision_document_for_the_applicant(client, dept):
    application = submitted_application(published_service(dept, refusal_reasons=REASONS))
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(
        application=application, actor=dept.expert, conclusion="Документы просрочены"
    )
    _act(
        client,
        dept.decider,
        application,
        {"action": "decide", "outcome": "refuse", "reason_codes": ["expired"], "reasons": ""},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.REFUSED
    assert application.decision_reasons == ["Истёк срок действия документов"]
    assert application.result.kind == "refusal"
    client.force_login(application.applicant)
    client.cookies["django_language"] = "ru"
    case = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert f"/services/applications/{application.pk}/result.pdf" in case
    pdf = client.get(f"/services/applications/{application.pk}/result.pdf", follow=True)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
