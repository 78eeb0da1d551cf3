"""Issue 16 item 9 in Chromium: the public and the organisation's report pages pass axe in
ru, tt and en on a desktop and a phone; the filters and the refresh button work without
JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cityhall.service_requests import services
from cityhall.service_requests.models import StatRefresh
from tests.browser.support import PHONE, assert_accessible, sign_in

from .factories import submit

pytestmark = pytest.mark.browser

HEADINGS = {
    "en-GB": "Requests: city statistics",
    "ru-RU": "Обращения: статистика города",
    "tt-RU": "Мөрәҗәгатьләр: шәһәр статистикасы",
}


def _data(world):
    submit(world)
    submit(world, category=world.heating)
    submit(world, building=world.orphan_building)
    services.rebuild_daily_stats()


@pytest.mark.parametrize("locale", list(HEADINGS))
def test_report_pages_pass_axe_in_every_language(
    new_context, client, live_server, world, locale, tmp_path
):
    _data(world)
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        tab = new_context(locale=locale, viewport=viewport).new_page()
        response = tab.goto(live_server.url + "/requests/reports/?by=organisation_type")
        assert response is not None and response.status == 200
        assert tab.locator("main h1").inner_text() == HEADINGS[locale]
        expect(tab.locator("#as-of")).to_be_visible()
        width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= screen, f"the public report scrolls sideways ({width} > {screen})"
        assert_accessible(tab)
        sign_in(tab.context, client, world.executor, live_server)
        response = tab.goto(live_server.url + "/requests/staff/reports/?by=category")
        assert response is not None and response.status == 200
        assert tab.get_by_role("button", name="Recompute", exact=False).count() in (0, 1)
        assert_accessible(tab)
        tab.screenshot(path=str(tmp_path / f"staff-{locale}-{viewport['width']}.png"))


def test_filters_and_refresh_work_without_javascript(no_script_page, client, live_server, world):
    _data(world)
    tab = no_script_page
    sign_in(tab.context, client, world.executor, live_server)
    tab.goto(live_server.url + "/requests/staff/reports/")
    tab.select_option("#r-suburb", str(world.city.west_south.pk))
    tab.select_option("#r-by", "category")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Build the report").click()
    assert f"suburb={world.city.west_south.pk}" in tab.url and "by=category" in tab.url
    assert "Category leak" in tab.locator("main table").inner_text()
    submit(world)
    # The last refresh was ten minutes ago (one within the minute is refused).
    StatRefresh.objects.update(refreshed_at=timezone.now() - dt.timedelta(minutes=10))
    with tab.expect_navigation():
        tab.get_by_role("button", name="Recompute today's figures now").click()
    assert "Today's figures have been recomputed." in tab.locator("body").inner_text()
    assert f"suburb={world.city.west_south.pk}" in tab.url
    rows = tab.locator("main table tbody tr").all_inner_texts()
    assert any(r.startswith("Category leak\t2") for r in rows), rows
