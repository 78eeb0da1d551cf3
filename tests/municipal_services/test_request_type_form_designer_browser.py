"""An interdepartmental request type's form defined in Chromium with the keyboard only: the
registry's administrator opens the request forms from the service designer, adds two fields
whose values come from the case (chosen from lists, nothing typed but words), publishes, and
an expert sending the request sees them filled from the case; axe finds nothing on the way."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from cityhall.municipal_services.models import RequestTypeFormVersion
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory
from tests.service_requests.test_request_catalogue_editor_browser import tab_to

from .designer_steps import land_registry
from .factories import BASE_DEFINITION, Department, published_service, submitted_application
from .test_service_designer_browser import _choose, _press, _type

pytestmark = pytest.mark.browser


def test_an_administrator_defines_a_request_form_with_the_keyboard(
    page, client, live_server, transactional_db
):
    registry = Department("Rosreestr")
    admin = MembershipFactory(organisation=registry.org, role="administrator").user
    kind = land_registry(registry.org)
    planning = Department()
    variants = [dict(v) for v in BASE_DEFINITION["variants"]]
    variants[1]["requests"] = [kind.code]
    application = submitted_application(published_service(planning, variants=variants))
    services.accept_application(application=application, actor=planning.operator)

    sign_in(page.context, client, admin, live_server)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/staff/services/")
    tab_to(page, page.get_by_role("link", name="Interdepartmental request forms"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    _press(page, "Edit the form of “Land registry extract”")
    assert_accessible(page)
    for kind_code, ru, en, source in (
        ("text", "Заявитель", "Applicant", "case:applicant"),
        ("number", "Площадь", "Floor area", "answer:area"),
    ):
        _choose(page, "#id_kind", kind_code)
        _type(page, "#id_label_ru", ru)
        _type(page, "#id_label_en", en)
        _choose(page, "#id_source", source)
        _press(page, "Add the field")
        assert "Saved." in page.locator("main").inner_text()
    assert "the answer “Area, m²”" in page.locator("main").inner_text()
    assert_accessible(page)
    _press(page, "Publish this version")
    assert "Version 1 is published." in page.locator("main").inner_text()
    assert RequestTypeFormVersion.objects.get().status == "published"

    sign_in(page.context, client, planning.expert, live_server)
    page.goto(f"{live_server.url}/services/applications/{application.pk}/")
    _choose(page, "#rtype", str(kind.pk))
    _press(page, "Show the request's form")
    assert page.locator("input[name=floor_area]").input_value() == "500"
    assert page.locator("input[name=applicant]").input_value() == str(application.applicant)
