"""Refusals that say why, and pages that offer only what the person may do (issue 16.21): the
403 page names the missing role or the separation of duties; the case page shows no stage form
its reader would be refused (deciding for the one who accepted, extending the term for an
expert); desks and the workspace link to no page that would refuse the reader."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def dept():
    return Department()


def _page(client, user, url):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(url)


def _case_url(application):
    return f"/services/applications/{application.pk}/"


def test_the_one_who_accepted_is_not_offered_the_decision_and_is_told_why(client, dept):
    application = submitted_application(published_service(dept))
    services.accept_application(application=application, actor=dept.both)
    services.send_to_decision(
        application=application, actor=dept.expert, conclusion="Fine", proposed="approve"
    )
    page = _page(client, dept.both, _case_url(application)).content.decode()
    assert 'value="decide"' not in page
    assert "separation of duties" in page
    refused = client.post(
        f"{_case_url(application)}act/", {"action": "decide", "outcome": "approve"}
    )
    assert refused.status_code == 403
    assert "separation of duties" in refused.content.decode()
    # The decision maker who did not accept is offered the form.
    assert 'value="decide"' in _page(client, dept.decider, _case_url(application)).content.decode()


def test_an_expert_is_not_offered_to_extend_the_term_and_a_refusal_names_the_role(client, dept):
    application = submitted_application(published_service(dept))
    services.accept_application(application=application, actor=dept.operator)
    page = _page(client, dept.expert, _case_url(application)).content.decode()
    assert 'value="conclude"' in page and 'value="extend"' not in page
    refused = client.post(
        f"{_case_url(application)}act/", {"action": "extend", "days": "3", "reason": "x"}
    )
    assert refused.status_code == 403
    assert "Only a decision maker of the department extends the term." in (refused.content.decode())
    assert 'value="extend"' in _page(client, dept.decider, _case_url(application)).content.decode()


def test_a_stranger_is_told_whose_application_it_is(client, dept):
    application = submitted_application(published_service(dept))
    refused = _page(client, UserFactory(), _case_url(application))
    assert refused.status_code == 403
    assert "open to its applicant and to the staff of" in refused.content.decode()


def test_the_register_page_names_the_role_it_needs(client, dept):
    published_service(dept)
    refused = _page(client, dept.expert, "/services/desk/register/building-permit/")
    assert refused.status_code == 403
    assert "role Operator" in refused.content.decode()


def test_desks_link_only_to_pages_that_open_for_the_reader(client, dept):
    published_service(dept)
    for person in (dept.expert, dept.decider):
        page = _page(client, person, "/services/desk/").content.decode()
        assert "/services/desk/register/" not in page
    page = _page(client, dept.operator, "/services/desk/").content.decode()
    assert "/services/desk/register/building-permit/" in page


def test_the_workspace_offers_identity_checks_only_to_service_centre_operators(client, dept):
    page = _page(client, dept.operator, "/staff/").content.decode()
    assert "/accounts/verify/" not in page
    assert _page(client, dept.operator, "/accounts/verify/").status_code == 403
    centre = OrganisationFactory(name="МФЦ", type="service_centre")
    clerk = MembershipFactory(organisation=centre, role="operator").user
    assert "/accounts/verify/" in _page(client, clerk, "/staff/").content.decode()


def test_staff_opening_the_applicants_form_or_signing_page_are_told_why(client, dept):
    from .factories import upload

    service = published_service(dept)
    applicant = UserFactory()
    draft = services.start_application(actor=applicant, service=service)
    services.upload_file(application=draft, actor=applicant, document_code="plan", upload=upload())
    client.force_login(applicant)
    assert client.get(f"/services/applications/{draft.pk}/sign/").status_code == 200
    service_centre = OrganisationFactory(name="МФЦ", type="service_centre")
    clerk = MembershipFactory(organisation=service_centre, role="operator").user
    paper = services.start_application(actor=clerk, service=service, applicant=applicant)
    refused = _page(client, clerk, f"/services/applications/{paper.pk}/sign/")
    assert refused.status_code == 403
    assert "Only the applicant signs their application" in refused.content.decode()
