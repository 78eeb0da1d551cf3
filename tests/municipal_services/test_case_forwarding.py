"""Forwarding a case to another expert (issue 16 item 15): the page lists experts who inherit
the role from a parent organisation; the case moves to the new expert (the one who forwarded it
can no longer conclude), who is told; the desk shows who has each case."""

from __future__ import annotations

import pytest

from cityhall.municipal_services.models import Application
from cityhall.notifications.models import Message
from tests.factories import MembershipFactory, OrganisationFactory

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    committee = OrganisationFactory(name="Executive Committee")
    dept = Department()
    dept.org.parent = committee
    dept.org.save(update_fields=["parent"])
    inherited = MembershipFactory(organisation=committee, role="expert").user
    service = published_service(dept)
    application = submitted_application(service)
    from cityhall.municipal_services import services

    services.accept_application(application=application, actor=dept.operator)
    application.refresh_from_db()
    assert application.status == Application.Status.CONSIDERATION
    return application, dept, inherited


def test_forwarding_on_the_page_moves_the_case_to_an_inherited_expert_who_is_told(client, case):
    application, dept, inherited = case
    client.force_login(dept.expert)
    page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert f'<option value="{inherited.pk}">{inherited}</option>' in page
    assert f'<option value="{dept.expert2.pk}">' in page

    response = client.post(
        f"/services/applications/{application.pk}/act/",
        {"action": "forward", "expert": inherited.pk, "note": "По специализации"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.assignee == inherited
    told = Message.objects.get(
        recipient=inherited, event="municipal_services.case_forwarded", channel="cabinet"
    )
    assert application.number in told.subject
    assert f"/services/applications/{application.pk}/" in told.url

    # The original expert no longer sees the consideration forms and cannot conclude.
    page = client.get(f"/services/applications/{application.pk}/").content.decode()
    assert 'value="conclude"' not in page and str(inherited) in page
    response = client.post(
        f"/services/applications/{application.pk}/act/",
        {"action": "conclude", "conclusion": "ok"},
    )
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == Application.Status.CONSIDERATION

    client.force_login(inherited)
    client.post(
        f"/services/applications/{application.pk}/act/",
        {"action": "conclude", "conclusion": "Соответствует", "proposed": "approve"},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.DECISION


def test_through_the_api_the_original_expert_cannot_conclude_after_forwarding(client, case):
    application, dept, inherited = case
    client.force_login(dept.expert)
    url = f"/api/v1/applications/{application.pk}/actions"
    response = client.post(
        url, {"action": "forward", "expert_id": dept.expert2.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    response = client.post(
        url, {"action": "conclude", "conclusion": "ok"}, content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "not_assignee"
    client.force_login(dept.expert2)
    response = client.post(
        url, {"action": "conclude", "conclusion": "ok"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "decision"


def test_the_desk_shows_who_has_each_case(client, case):
    application, dept, inherited = case
    from cityhall.municipal_services import services

    services.forward_to_expert(application=application, actor=dept.expert, expert=dept.expert2)
    client.force_login(dept.operator)
    page = client.get("/services/desk/").content.decode()
    assert '<th scope="col">Expert</th>' in page and str(dept.expert2) in page
    rows = client.get("/api/v1/applications/desk").json()
    assert rows[0]["assignee"] == str(dept.expert2)
