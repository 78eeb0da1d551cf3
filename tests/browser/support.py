"""What browser tests share: the axe check and signing a browser in without the form."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

__all__ = ["DESKTOP", "PHONE", "WCAG_TAGS", "assert_accessible", "assert_page_says", "sign_in"]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# WCAG 2.0, 2.1 and 2.2, levels A and AA: the level the portal promises.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

_AXE = Axe()


def assert_accessible(page: Page) -> None:
    """Run axe-core with the WCAG 2.x A/AA rules; fail with a readable list of violations.

    Needs JavaScript: in a context with ``java_script_enabled=False`` axe never finishes, so
    such a page fails at once (check the no-JavaScript page's behaviour, and axe elsewhere).
    """
    if _javascript_disabled(page):
        pytest.fail(
            f"axe cannot run on {page.url}: this tab has JavaScript disabled. Run axe in a tab "
            "with JavaScript (page, phone_page) and check the no-JavaScript tab's behaviour.",
            pytrace=False,
        )
    results = _AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    violations = results.response["violations"]
    if not violations:
        return
    lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            lines.append(f"      {node['html'][:200]}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"      {summary[:300]}")
    pytest.fail("\n".join(lines), pytrace=False)


def assert_page_says(page: Page, text: str) -> None:
    """The page's text holds ``text`` — waiting for it, since a click that submits a form
    returns before the next page has loaded (reading ``page.content()`` then may give "")."""
    expect(page.locator("body")).to_contain_text(text)


def _javascript_disabled(page: Page) -> bool:
    # Playwright has no public getter for a context's options; read them where it keeps them.
    options = getattr(getattr(page.context, "_impl_obj", None), "_options", None) or {}
    return options.get("javaScriptEnabled") is False


def sign_in(context: BrowserContext, client, user, live_server) -> None:
    """Give ``context`` the session of ``user`` (Django's ``force_login``), skipping the form."""
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
