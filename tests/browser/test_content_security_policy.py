"""The browser suite's tabs fail a test on any Content-Security-Policy violation (the pages'
own checks are every other browser test); this proves the watch sees one."""

from __future__ import annotations

import pytest

from .conftest import _PolicyWatch

pytestmark = pytest.mark.browser


def test_a_page_breaking_the_sites_policy_is_noticed(page, live_server):
    def inline_style(route) -> None:
        route.fulfill(
            status=200,
            headers={"Content-Type": "text/html", "Content-Security-Policy": "style-src 'self'"},
            body='<!doctype html><title>t</title><p style="color: red">inline</p>',
        )

    page.route(live_server.url + "/csp-probe/", inline_style)
    try:
        page.goto(live_server.url + "/csp-probe/")
        page.wait_for_timeout(200)
        assert any("style-src" in line for line in _PolicyWatch.seen)
    finally:
        page.unroute(live_server.url + "/csp-probe/")
        _PolicyWatch.seen.clear()  # the violation was this test's point


def test_the_home_page_sends_the_policy_to_the_browser(page, live_server):
    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
