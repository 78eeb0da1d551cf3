"""Every public page: no axe-core WCAG 2.2 A/AA violations on a desktop and on a phone, no
sideways scrolling on a phone, usable with JavaScript turned off, and every asset served by
the app itself (no CDN, no third-party requests).

Add each new public page (no sign-in needed) to PUBLIC_PAGES. The API reference at
/api/v1/docs is Swagger UI, a third-party developer tool with known axe findings of its own
(nested controls, contrast); it is checked for rendering and for serving its assets locally.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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
    "/audit/checkpoints/",
]


def _open(tab, live_server, path: str) -> None:
    response = tab.goto(live_server.url + path)
    assert response is not None and response.ok, f"{path} answered {response and response.status}"


def _requests_elsewhere(tab, live_server, action) -> list[str]:
    """The URLs of requests to any origin but the app's own made while ``action()`` runs."""
    seen: list[str] = []

    def note(request) -> None:
        seen.append(request.url)

    tab.on("request", note)
    try:
        action()
    finally:
        tab.remove_listener("request", note)
    own = (live_server.url + "/", "data:", "blob:", "about:")
    return [url for url in seen if not url.startswith(own)]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_page_has_no_accessibility_violations_on_desktop(page, live_server, path):
    elsewhere = _requests_elsewhere(page, live_server, lambda: _open(page, live_server, path))
    assert elsewhere == [], f"{path} loads assets from elsewhere: {elsewhere}"
    assert_accessible(page)


def test_api_reference_is_served_by_the_app(page, live_server):
    def load() -> None:
        _open(page, live_server, "/api/v1/docs")
        page.locator(".opblock").first.wait_for()

    elsewhere = _requests_elsewhere(page, live_server, load)
    assert elsewhere == [], f"the API reference loads assets from elsewhere: {elsewhere}"
    assert page.locator(".opblock-summary-path", has_text="/api/v1/support/tickets").count() == 1


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
    expect(tab.locator("main h1")).to_be_visible()
