"""The catalogue editor walked in Chromium with the keyboard only: an administrator opens the
lift's draft, sets the dispatcher's limit to 30 calendar minutes, reviews the difference and
publishes; axe finds nothing on the list, the draft and the review; the draft page is looked at
in Russian, Tatar and English."""

from __future__ import annotations

import pytest

from cityhall.service_requests.models import CategoryDraft
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory

pytestmark = pytest.mark.browser


def tab_to(tab, locator, limit: int = 120) -> None:
    """Press Tab until ``locator`` has the focus (as a keyboard user reaches it)."""
    handle = locator.element_handle()
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(el) => document.activeElement === el", handle):
            return
    pytest.fail(f"{locator} is not reachable with Tab")


def test_an_administrator_publishes_thirty_minutes_with_the_keyboard(
    page, world, client, live_server, tmp_path
):
    admin = MembershipFactory(organisation=world.committee, role="administrator").user
    sign_in(page.context, client, admin, live_server)
    page.goto(live_server.url + "/requests/staff/catalogue/")
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Edit “Category lift”"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    tab_to(page, page.locator("#id_guidance_ru"))  # an emergency needs its guidance
    page.keyboard.type("Звоните 112.")
    tab_to(page, page.locator("#id_amount_new"))
    page.keyboard.press("Control+A")
    page.keyboard.type("30")
    page.keyboard.press("Tab")  # unit: minutes is the first choice
    page.keyboard.press("Home")
    page.keyboard.press("Tab")  # kind of time: calendar is the last
    page.keyboard.press("End")
    tab_to(page, page.get_by_role("button", name="Save the draft"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert CategoryDraft.objects.get().limits["new"] == [30, "calendar_minutes"]
    tab_to(page, page.get_by_role("link", name="Review the changes and publish"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "30 calendar minutes" in page.inner_text("main")
    assert "Звоните 112." in page.inner_text("main")
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Publish"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    world.lift.refresh_from_db()
    assert world.lift.current_version.limits.get(stage="new").unit == "calendar_minutes"
    # Looked at in each language (the screenshots are kept with the test's files).
    page.goto(live_server.url + "/requests/staff/catalogue/")
    with page.expect_navigation():
        page.get_by_role("button", name="Edit “Category heating”").click()
    draft_url = page.url
    for language, heading in (
        ("ru", "Изменение категории"),
        ("tt", "категориясен үзгәртү"),
        ("en", "Edit the category"),
    ):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(draft_url)
        assert heading in page.inner_text("h1")
        page.screenshot(path=str(tmp_path / f"catalogue-draft-{language}.png"), full_page=True)
    assert_accessible(page)
