"""Issue 20 item 19 in Chromium: the statistics with a period and a time series pass axe in
ru, tt and en on a desktop and a phone; the period form works without JavaScript."""

from __future__ import annotations

import pytest

from cityhall.discussions import services
from tests.browser.support import PHONE, assert_accessible

pytestmark = pytest.mark.browser

SERIES_HEADINGS = {
    "en-GB": "Proposals per week",
    "ru-RU": "Предложения по неделям",
    "tt-RU": "Атналар буенча тәкъдимнәр",
}


@pytest.fixture
def with_proposals(discussion, resident):
    services.submit_proposal(discussion=discussion, author=resident, text="Сквер")
    return discussion


@pytest.mark.parametrize("locale", list(SERIES_HEADINGS))
def test_statistics_with_a_period_pass_axe(new_context, live_server, with_proposals, locale):
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        tab = new_context(locale=locale, viewport=viewport).new_page()
        response = tab.goto(live_server.url + "/discussions/statistics/?interval=week")
        assert response is not None and response.status == 200
        assert tab.get_by_role("heading", name=SERIES_HEADINGS[locale]).count() == 1
        width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= screen, f"the statistics scroll sideways ({width} > {screen})"
        assert_accessible(tab)


def test_the_period_form_works_without_javascript(no_script_page, live_server, with_proposals):
    tab = no_script_page
    tab.goto(live_server.url + "/discussions/statistics/")
    tab.fill("#id_date_from", "2020-01-01")
    tab.fill("#id_date_to", "2020-01-31")
    tab.select_option("#id_interval", "day")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Show").click()
    assert "date_from=2020-01-01" in tab.url and "interval=day" in tab.url
    assert "No proposals in this period." in tab.locator("main").inner_text()
    assert tab.get_by_role("heading", name="Proposals per day").count() == 1
