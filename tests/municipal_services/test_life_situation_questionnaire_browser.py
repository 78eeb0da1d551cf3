"""A life situation's questionnaire built in Chromium with the keyboard only: the administrator
starts a new version of the published situation, adds a yes/no question and a choice shown
only after "yes", makes the excavation step apply on one of the choice's answers picked from a
list and publishes the version; the resident's page asks the new questions only then; axe finds
nothing on the situation's, the questionnaire's and the publish pages."""

from __future__ import annotations

import pytest

from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.service_requests.test_request_catalogue_editor_browser import tab_to

from .test_life_situation import build_an_office
from .test_service_designer_browser import _choose, _press, _type

pytestmark = pytest.mark.browser


def test_an_administrator_builds_questions_and_a_step_condition_with_the_keyboard(
    page, client, live_server, transactional_db
):
    office, *_ = build_an_office()
    admin = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    sign_in(page.context, client, admin, live_server)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/services/staff/situations/{office.pk}/")
    assert "Version 1 (published)" in page.locator("main").inner_text()
    _press(page, "New version")
    assert "Draft version 2" in page.locator("main").inner_text()
    assert_accessible(page)
    step = office.versions.get(status="draft").steps.get(service__code="excavation")
    tab_to(page, page.get_by_role("link", name="The questionnaire: 3 questions"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    _choose(page, "#id_kind", "yes_no")
    _type(page, "#id_label_ru", "Большой офис?")
    _type(page, "#id_label_en", "Large office")
    _press(page, "Add the question")
    _choose(page, "#id_kind", "choice")
    _type(page, "#id_label_ru", "Земля")
    _type(page, "#id_label_en", "Land")
    _type(page, "#id_options_ru", "Своя\nВ аренде")
    _type(page, "#id_options_en", "Own\nLeased")
    _choose(page, "#id_show_field", "large_office")
    _choose(page, "#id_show_operator", "yes")
    _press(page, "Add the question")
    main = page.locator("main").inner_text()
    assert "The questionnaire is saved." in main and "Large office is yes" in main
    assert_accessible(page)

    page.goto(f"{live_server.url}/services/staff/situations/{office.pk}/steps/{step.pk}/")
    _choose(page, "#step-applies", "land:leased")
    _press(page, "Save the step")
    assert "When “Land” is Leased" in page.locator("main").inner_text()

    resident = page.context.browser.new_context()
    tab = resident.new_page()
    tab.goto(f"{live_server.url}/services/situations/build-an-office/")
    assert tab.locator("#f-company").count() == 1
    assert tab.locator("#f-large_office").count() == 0  # a draft is not what residents see
    tab_to(page, page.get_by_role("link", name="Check and publish this version"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    _press(page, "Publish version 2")
    assert "Version 2 is published" in page.locator("main").inner_text()
    tab.reload()
    assert tab.locator("#f-large_office").count() == 1
    resident.close()
