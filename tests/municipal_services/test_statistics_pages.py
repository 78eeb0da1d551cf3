"""Issue 16 item 18 in Chromium: the statistics page with its new tables passes axe in ru, tt
and en on a desktop and a phone, and the period form works without JavaScript."""

from __future__ import annotations

import pytest

from cityhall.municipal_services import services
from tests.browser.support import PHONE, assert_accessible, sign_in

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.browser

HEADINGS = {
    "en-GB": "Statistics of municipal services",
    "ru-RU": "Статистика по муниципальным услугам",
    "tt-RU": "Муниципаль хезмәтләр статистикасы",
}


@pytest.fixture
def department(transactional_db):
    dept = Department()
    service = published_service(dept)
    application = submitted_application(service)
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="no")
    services.decide(
        application=application, actor=dept.decider, outcome="refuse", reasons=["Охранная зона"]
    )
    return dept


@pytest.mark.parametrize("locale", list(HEADINGS))
def test_statistics_page_passes_axe_in_every_language(
    new_context, client, live_server, department, locale
):
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        context = new_context(locale=locale, viewport=viewport)
        sign_in(context, client, department.decider, live_server)
        tab = context.new_page()
        response = tab.goto(live_server.url + "/services/statistics/")
        assert response is not None and response.status == 200
        assert tab.locator("main h1").inner_text() == HEADINGS[locale]
        assert tab.locator("main table").count() >= 5  # the breakdowns are tables
        width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= screen, f"the statistics scroll sideways ({width} > {screen})"
        assert_accessible(tab)


def test_the_period_form_works_without_javascript(new_context, client, live_server, department):
    context = new_context(java_script_enabled=False)
    sign_in(context, client, department.decider, live_server)
    tab = context.new_page()
    tab.goto(live_server.url + "/services/statistics/")
    assert "Applications: 1" in tab.locator("main").inner_text()
    tab.fill("#start", "2020-01-01")
    tab.fill("#end", "2020-01-31")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Show").click()
    assert "start=2020-01-01" in tab.url
    text = tab.locator("main").inner_text()
    assert "Applications: 0" in text
