"""The life-situation designer walked in Chromium with the keyboard only: the administrator
makes the permit wait for the facade design, choosing everything from lists; axe finds nothing
on the situation's page and the step's page."""

from __future__ import annotations

import pytest

from cityhall.municipal_services.services.life_situation_versions import start_situation_version
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory
from tests.service_requests.test_request_catalogue_editor_browser import tab_to

from .test_life_situation import build_an_office

pytestmark = pytest.mark.browser


def test_an_administrator_orders_two_steps_with_the_keyboard(page, client, live_server):
    office, *_ = build_an_office()
    draft = start_situation_version(actor=None, situation=office)
    steps = {s.service.code: s for s in draft.steps.select_related("service")}
    admin = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    sign_in(page.context, client, admin, live_server)
    page.goto(f"{live_server.url}/services/staff/situations/{office.pk}/")
    assert_accessible(page)
    tab_to(page, page.locator(f"a[href$='/steps/{steps['building-permit'].pk}/']"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    design = page.locator(f"input[name=requires][value='{steps['facade-design'].pk}']")
    tab_to(page, design)
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Save the step"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Decided only after" in page.inner_text("main")
    assert list(steps["building-permit"].requires.all()) == [steps["facade-design"]]
