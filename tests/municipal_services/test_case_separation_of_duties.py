"""Cases with separated duties: each stage needs its role in the department, and the person
who accepted the documents cannot decide the same case when the definition forbids it —
checked on the server whichever way the action arrives (page or API)."""

from __future__ import annotations

import pytest

from cityhall.core.errors import Conflict, Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, Opinion
from tests.factories import MembershipFactory, OrganisationFactory

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    dept = Department()
    service = published_service(dept)
    return dept, submitted_application(service)


def _act(client, user, application, **data):
    client.force_login(user)
    return client.post(f"/services/applications/{application.pk}/act/", data)


def test_the_full_path_through_the_pages(client, case):
    dept, application = case
    _act(client, dept.operator, application, action="accept")
    _act(client, dept.expert, application, action="forward", expert=dept.expert2.pk)
    application.refresh_from_db()
    assert application.assignee == dept.expert2
    _act(
        client,
        dept.expert2,
        application,
        action="conclude",
        conclusion="Meets the town-planning rules",
        proposed="approve",
    )
    _act(
        client,
        dept.decider,
        application,
        action="decide",
        outcome="approve",
        reasons="Complies with the plan",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED
    assert application.result.number.endswith(application.number)
    client.force_login(application.applicant)
    pdf = client.get(f"/services/applications/{application.pk}/result.pdf", follow=True)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "accepted", "forwarded", "concluded", "approved"]
    assert AuditRecord.objects.filter(
        action="municipal_services.application_approved", object_id=str(application.pk)
    ).exists()


def test_the_acceptor_cannot_decide_the_same_case(client, case):
    dept, application = case
    services.accept_application(application=application, actor=dept.both)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    response = _act(
        client, dept.both, application, action="decide", outcome="approve", reasons="fine"
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.DECISION
    with pytest.raises(Forbidden) as exc:
        services.decide(application=application, actor=dept.both, outcome="approve", reasons=[])
    assert exc.value.code == "separation_of_duties"
    services.decide(
        application=application,
        actor=dept.decider,
        outcome="refuse",
        reasons=["The plot is in a protected zone"],
    )
    application.refresh_from_db()
    assert application.status == Application.Status.REFUSED
    assert application.decision_reasons == ["The plot is in a protected zone"]


def test_the_same_person_may_do_both_when_the_definition_allows_it():
    dept = Department()
    service = published_service(
        dept,
        code="simple",
        workflow={
            "stages": {
                "acceptance": {"roles": ["operator"]},
                "consideration": {"roles": ["expert"]},
                "decision": {"roles": ["decision_maker"]},
            },
            "separation": [],
        },
    )
    application = submitted_application(service)
    services.accept_application(application=application, actor=dept.both)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="ok")
    services.decide(application=application, actor=dept.both, outcome="approve", reasons=[])
    application.refresh_from_db()
    assert application.status == Application.Status.RESULT_ISSUED


def test_each_stage_needs_its_role_in_the_department(case):
    dept, application = case
    other = Department("Committee of External Improvement")
    with pytest.raises(Forbidden):
        services.accept_application(application=application, actor=dept.expert)
    with pytest.raises(Forbidden):
        services.accept_application(application=application, actor=other.operator)
    services.accept_application(application=application, actor=dept.operator)
    with pytest.raises(Forbidden):
        services.send_to_decision(application=application, actor=dept.operator, conclusion="x")
    with pytest.raises(Conflict):
        services.decide(application=application, actor=dept.decider, outcome="approve", reasons=[])


def test_a_role_in_the_parent_organisation_covers_its_departments():
    dept = Department()
    dept.org.parent = OrganisationFactory(name="Executive Committee")
    dept.org.save()
    chief = MembershipFactory(organisation=dept.org.parent, role="operator").user
    application = submitted_application(published_service(dept))
    services.accept_application(application=application, actor=chief)
    application.refresh_from_db()
    assert application.status == Application.Status.CONSIDERATION


def test_a_return_needs_reasons_and_a_refusal_needs_reasons(case):
    dept, application = case
    with pytest.raises(InvalidInput):
        services.return_application(application=application, actor=dept.operator, reasons=[" "])
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="no")
    with pytest.raises(InvalidInput):
        services.decide(application=application, actor=dept.decider, outcome="refuse", reasons=[])


def test_an_expert_asks_another_for_an_opinion(client, case):
    dept, application = case
    services.accept_application(application=application, actor=dept.operator)
    _act(
        client,
        dept.expert,
        application,
        action="ask_opinion",
        expert=dept.expert2.pk,
        question="Is the fire passage wide enough?",
    )
    opinion = Opinion.objects.get()
    page = client.get(f"/services/applications/{application.pk}/")
    assert "Is the fire passage wide enough?" in page.content.decode()
    response = _act(
        client, dept.expert, application, action="answer_opinion", opinion=opinion.pk, answer="mine"
    )
    assert response.status_code == 403  # asked of another expert
    _act(
        client,
        dept.expert2,
        application,
        action="answer_opinion",
        opinion=opinion.pk,
        answer="Yes, 6 m",
    )
    opinion.refresh_from_db()
    assert opinion.answer == "Yes, 6 m"


def test_strangers_see_neither_the_case_nor_its_actions(client, case):
    dept, application = case
    outsider = Department("Other").operator
    client.force_login(outsider)
    assert client.get(f"/services/applications/{application.pk}/").status_code == 403
    assert _act(client, outsider, application, action="accept").status_code == 403


def test_documents_are_open_to_the_applicant_and_the_department_only(client, case):
    dept, application = case
    stored = application.files.get()
    url = f"/services/applications/{application.pk}/files/{stored.pk}/"
    client.force_login(dept.expert)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(application.applicant)
    assert client.get(url, follow=True).status_code == 200
    client.force_login(Department("Other").expert)
    assert client.get(stored.stored.url).status_code == 404  # the file's own address too
    client.force_login(Department("Other").expert)
    assert client.get(url).status_code == 403


def test_the_applicant_is_told_each_status_in_their_language_with_the_definitions_text(case):
    from cityhall.notifications.models import Message

    dept, application = case
    applicant = application.applicant
    applicant.preferred_language = "ru"
    applicant.save(update_fields=["preferred_language"])
    application.language = "ru"
    application.save(update_fields=["language"])
    services.return_application(
        application=application, actor=dept.operator, reasons=["Нет подписи"]
    )
    message = Message.objects.filter(recipient=applicant, channel="cabinet").order_by("pk").last()
    assert "Заявление возвращено на доработку" in message.body
    assert message.url == f"/services/applications/{application.pk}/"


def test_the_cabinet_lists_the_applicants_applications(client, case):
    _, application = case
    client.force_login(application.applicant)
    page = client.get("/cabinet/")
    assert application.number in page.content.decode()
