"""Every public page: no axe-core WCAG 2.2 A/AA violations on a desktop and on a phone, no
sideways scrolling on a phone, and usable with JavaScript turned off.

Add each new public page (no sign-in needed) to PUBLIC_PAGES.
"""

from __future__ import annotations

import pytest

from .support import assert_accessible

pytestmark = pytest.mark.browser

PUBLIC_PAGES = [
    "/",
    "/feedback/",
    "/accounts/login/",
    "/accounts/register/",
    "/accounts/confirm/",
    "/geo/",
    "/geo/search/",
    "/discussions/",
    "/discussions/map/",
    "/discussions/subscribe/",
    "/discussions/statistics/",
    "/requests/",
    "/requests/new/",
    "/requests/map/",
    "/requests/organisations/",
    "/services/",
    "/services/registry/",
]


def _open(tab, live_server, path: str) -> None:
    response = tab.goto(live_server.url + path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_has_no_accessibility_violations_on_desktop(page, live_server, path):
    _open(page, live_server, path)
    assert_accessible(page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_fits_a_phone_without_violations(phone_page, live_server, path):
    _open(phone_page, live_server, path)
    scroll_width, inner_width = phone_page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{path} scrolls sideways on a phone: content is {scroll_width}px wide, "
        f"the screen {inner_width}px"
    )
    assert_accessible(phone_page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_works_without_javascript(no_script_page, live_server, path):
    tab = no_script_page
    _open(tab, live_server, path)
    heading = tab.locator("main h1")
    assert heading.count() == 1 and heading.is_visible(), f"{path} shows no main heading"
    assert tab.locator("html").get_attribute("lang") == "en"

    # The header's language form is on every page: it must post and bring the reader back.
    tab.select_option("#lang-select", "ru")
    with tab.expect_navigation():
        tab.locator("form.lang-switch button[type=submit]").click()
    assert tab.url == live_server.url + path
    assert tab.locator("html").get_attribute("lang") == "ru"
    assert tab.locator("main h1").is_visible()
