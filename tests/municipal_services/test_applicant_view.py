"""What the applicant sees of their case (issue 16.17): the history by labels, never codes;
the department's internal notes (forwarding note, the expert's draft conclusion, opinions,
another department's answer) only on the staff's view; answers by their option labels; the
signing page as a readable document with the digest and canonical JSON folded away."""

from __future__ import annotations

import re

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import ApplicationEvent, StandardRequestType

from .factories import Department, published_service, submitted_application, texts, upload

pytestmark = pytest.mark.django_db

FORWARD_NOTE = "Коллега, посмотрите охранную зону"
DRAFT_CONCLUSION = "Черновик заключения: соответствует ПЗЗ"
OPINION_QUESTION = "Нужна ли экспертиза фасада?"
OPINION_ANSWER = "Экспертиза не нужна"
REGISTRY_ANSWER = "Участок 16:50:011105:27 принадлежит городу"
RAW_CODES = ("acceptance", "consideration", "result_issued", "request_sent", "forwarded")


@pytest.fixture
def worked_case():
    dept = Department()
    other = Department("Committee of Land and Property Relations")
    service = published_service(dept)
    application = submitted_application(
        service,
        answers={
            "applicant_name": "ООО Ромашка",
            "purpose": "office",
            "area": 500,
            "heritage_zone": True,
        },
    )
    services.accept_application(application=application, actor=dept.operator)
    services.forward_to_expert(
        application=application, actor=dept.expert, expert=dept.expert2, note=FORWARD_NOTE
    )
    opinion = services.ask_opinion(
        application=application, actor=dept.expert2, expert=dept.expert, question=OPINION_QUESTION
    )
    services.answer_opinion(opinion=opinion, actor=dept.expert, answer=OPINION_ANSWER)
    kind = StandardRequestType.objects.create(
        code="land-extract", name=texts("Выписка", "Extract"), addressee=other.org
    )
    request = services.send_standard_request(
        application=application, actor=dept.expert2, type=kind, payload={}
    )
    services.answer_standard_request(request=request, actor=other.operator, answer=REGISTRY_ANSWER)
    services.send_to_decision(
        application=application, actor=dept.expert2, conclusion=DRAFT_CONCLUSION, proposed="approve"
    )
    services.decide(
        application=application, actor=dept.decider, outcome="approve", reasons=["Соответствует"]
    )
    return dept, application


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


def test_the_applicant_sees_labels_and_no_internal_notes_on_the_case_page(client, worked_case):
    dept, application = worked_case
    client.force_login(application.applicant)
    client.cookies["django_language"] = "ru"
    page = client.get(f"/services/applications/{application.pk}/")
    assert page.status_code == 200
    text = _visible_text(page.content.decode())
    for note in (FORWARD_NOTE, DRAFT_CONCLUSION, OPINION_QUESTION, OPINION_ANSWER, REGISTRY_ANSWER):
        assert note not in text
    for code in RAW_CODES:
        assert not re.search(rf"\b{code}\b", text), code
    assert "Проверка документов" in text
    assert "Офис" in text  # the option's label, not "office"
    assert "Да" in text  # the tick box in words, not "True"
    assert "True" not in text
    assert "Соответствует" in text  # the decision's reasons are the applicant's to read


def test_staff_see_the_internal_notes_marked_as_such(client, worked_case):
    dept, application = worked_case
    client.force_login(dept.expert)
    client.cookies["django_language"] = "ru"
    text = _visible_text(client.get(f"/services/applications/{application.pk}/").content.decode())
    for note in (FORWARD_NOTE, DRAFT_CONCLUSION, OPINION_ANSWER, REGISTRY_ANSWER):
        assert note in text
    for code in RAW_CODES:
        assert not re.search(rf"\b{code}\b", text), code


def test_internal_steps_are_marked_in_the_history(worked_case):
    _, application = worked_case
    internal = set(
        ApplicationEvent.objects.filter(application=application, internal=True).values_list(
            "kind", flat=True
        )
    )
    assert {"forwarded", "concluded", "opinion_given", "request_answered"} <= internal
    assert not ApplicationEvent.objects.filter(
        application=application, kind__in=["submitted", "approved"], internal=True
    ).exists()


def test_the_signing_page_reads_as_a_document_with_the_digest_folded_away(client):
    dept = Department()
    service = published_service(dept)
    applicant = submitted_application(service).applicant  # any applicant with an account
    application = services.start_application(actor=applicant, service=service)
    services.save_draft(
        application=application,
        actor=applicant,
        answers={"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120},
    )
    services.upload_file(
        application=application, actor=applicant, document_code="plan", upload=upload("scan.pdf")
    )
    client.force_login(applicant)
    client.cookies["django_language"] = "ru"
    html = client.get(f"/services/applications/{application.pk}/sign/").content.decode()
    document, _, technical = html.partition("<details>")
    technical = technical.split("</details>")[0]
    readable = _visible_text(document)
    assert "План участка" in readable and "Офис" in readable
    assert not re.search(r"\bplan\b|\boffice\b|[0-9a-f]{64}", readable)
    assert re.search(r"[0-9a-f]{64}", technical) and '"answers"' in technical.replace("&quot;", '"')


def test_the_api_gives_the_applicant_labels_and_no_internal_notes(client, worked_case):
    dept, application = worked_case
    client.force_login(application.applicant)
    body = client.get(f"/api/v1/applications/{application.pk}").json()
    texts_seen = " ".join(e["text"] for e in body["events"])
    for note in (FORWARD_NOTE, DRAFT_CONCLUSION, OPINION_ANSWER, REGISTRY_ANSWER):
        assert note not in texts_seen
    assert all(e["label"] and not e["internal"] for e in body["events"] if e["text"])
    assert "forwarded" not in {e["kind"] for e in body["events"]}
    client.force_login(dept.expert)
    staff = client.get(f"/api/v1/applications/{application.pk}").json()
    assert FORWARD_NOTE in " ".join(e["text"] for e in staff["events"])


def test_the_result_document_prints_answers_in_words(worked_case):
    from cityhall.municipal_services.results import result_body, result_context

    _, application = worked_case
    context = result_context(application, application.result.number)
    text = result_body(application, application.version.result_template, context)
    assert "Назначение: Офис" in text
