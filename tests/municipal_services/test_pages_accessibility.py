"""The applicant's pages pass axe (WCAG 2.2 AA) on a desktop and a phone, and the form is
filled and submitted with JavaScript turned off."""

from __future__ import annotations

import pytest

from cityhall.municipal_services.models import Application, LifeSituation
from tests.browser.support import assert_accessible, sign_in
from tests.factories import UserFactory

from .factories import Department, published_service, texts

pytestmark = pytest.mark.browser


@pytest.fixture
def service(transactional_db):
    dept = Department()
    service = published_service(dept)
    LifeSituation.objects.create(
        code="build-an-office",
        name=texts("Построить офис", "Build an office"),
        questionnaire={
            "type": "object",
            "properties": {"company": {"type": "string"}},
            "required": ["company"],
        },
    )
    return service


@pytest.mark.parametrize(
    "path", ["/services/", "/services/building-permit/", "/services/situations/build-an-office/"]
)
def test_public_pages_pass_axe(page, phone_page, live_server, service, path):
    for tab in (page, phone_page):
        response = tab.goto(live_server.url + path)
        assert response.ok
        assert_accessible(tab)


def test_the_form_works_without_javascript(new_context, client, live_server, service):
    applicant = UserFactory()
    context = new_context(java_script_enabled=False)
    sign_in(context, client, applicant, live_server)
    tab = context.new_page()
    tab.goto(live_server.url + "/services/building-permit/apply/")
    tab.get_by_role("button", name="Start a new application").click()
    tab.get_by_label("Applicant").fill("ООО Ромашка")
    tab.get_by_label("Purpose").select_option("shop")
    tab.get_by_label("Area, m²").fill("-3")
    tab.get_by_role("button", name="Sign and submit").click()
    assert tab.get_by_text("Enter a number not less than 1.").is_visible()
    tab.set_input_files(
        "#up-plan",
        files=[
            {
                "name": "plan.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n" + b"0" * 100,
            }
        ],
    )
    tab.get_by_role("button", name="Upload").first.click()
    assert tab.get_by_text("plan.pdf").is_visible()
    tab.get_by_label("Area, m²").fill("300")
    tab.get_by_role("button", name="Sign and submit").click()
    application = Application.objects.get()
    assert application.status == Application.Status.ACCEPTANCE
    assert tab.get_by_text(application.number).first.is_visible()


def test_the_form_with_errors_passes_axe(page, phone_page, client, live_server, service):
    applicant = UserFactory()
    for tab in (page, phone_page):
        sign_in(tab.context, client, applicant, live_server)
        tab.goto(live_server.url + "/services/building-permit/apply/")
        tab.get_by_role("button", name="Start a new application").click()
        assert_accessible(tab)
        tab.get_by_label("Area, m²").fill("-3")
        tab.get_by_role("button", name="Sign and submit").click()
        assert tab.get_by_text("Enter a number not less than 1.").is_visible()
        assert_accessible(tab)
