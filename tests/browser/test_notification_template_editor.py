"""The notification template editor walked in Chromium with the keyboard only: an administrator
opens the list, writes the Tatar wording of a new support ticket with a variable, previews and
saves it, removes the translation again and finds it among the missing translations; axe finds
nothing on the list, the edit page and the missing translations; the three pages are looked at
on a phone in Russian, Tatar and English (the screenshots are kept with the test's files); with
JavaScript off the English wording is still previewed and saved."""

from __future__ import annotations

import pytest

from cityhall.notifications import services
from cityhall.notifications.models import NotificationTemplate
from tests.browser.support import PHONE, assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.browser

EVENT = "support_ticket.submitted"
DESCRIPTION = "A question or problem was sent to the administrators via the feedback form"
PAGES = (
    ("list", "/notifications/staff/templates/"),
    ("edit", f"/notifications/staff/templates/{EVENT}/tt/"),
    ("missing", "/notifications/staff/templates/missing/"),
)


def tab_to(tab, locator, limit: int = 400) -> None:
    """Press Tab until ``locator`` has the focus (as a keyboard user reaches it)."""
    handle = locator.element_handle()
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(el) => document.activeElement === el", handle):
            return
    pytest.fail(f"{locator} is not reachable with Tab")


def press_enter_and_wait(tab) -> None:
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def _tatar() -> NotificationTemplate | None:
    return NotificationTemplate.objects.filter(event=EVENT, language="tt", is_active=True).first()


def test_an_administrator_edits_previews_and_withdraws_a_tatar_wording_with_the_keyboard(
    page, new_context, client, live_server, settings, tmp_path
):
    settings.STAFF_REQUIRE_OTP = False
    services.sync_templates()
    admin = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    sign_in(page.context, client, admin, live_server)
    page.goto(live_server.url + "/notifications/staff/templates/")
    assert_accessible(page)
    tatar = page.locator(f'table a[href$="/{EVENT}/tt/"]')
    # Each language's link says which language it opens (not only the event).
    assert tatar.text_content().strip().endswith(f"{DESCRIPTION}, Tatar"), tatar.text_content()
    tab_to(page, tatar)
    press_enter_and_wait(page)
    assert page.url.endswith(f"/{EVENT}/tt/")
    assert_accessible(page)
    tab_to(page, page.get_by_label("Text (e-mail and personal cabinet)"))
    page.keyboard.press("Control+End")
    page.keyboard.type("\nТемасы: {{ topic }}")
    tab_to(page, page.get_by_role("button", name="Preview"))
    press_enter_and_wait(page)
    preview = page.get_by_role("region", name="Preview with sample values").inner_text()
    assert "Темасы: ‹topic›" in preview
    assert _tatar().version == 1  # a preview saves nothing
    tab_to(page, page.get_by_role("button", name="Save as a new version"))
    press_enter_and_wait(page)
    assert _tatar().version == 2 and _tatar().body.endswith("Темасы: {{ topic }}")
    assert "Saved as version 2" in page.inner_text("main")
    tab_to(page, page.get_by_role("button", name="Remove the Tatar translation"))
    press_enter_and_wait(page)
    assert _tatar() is None
    assert "There is no Tatar wording" in page.inner_text("main")
    tab_to(page, page.get_by_role("link", name="Notification templates"))
    press_enter_and_wait(page)
    tab_to(page, page.get_by_role("link", name="Missing or outdated translations: 1"))
    press_enter_and_wait(page)
    assert f"{DESCRIPTION} — Tatar" in page.inner_text("main")
    assert_accessible(page)
    # On a phone in each language: nothing wider than the screen, the words in that language.
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone.context, client, admin, live_server)
    for language, heading in (
        ("ru", "Шаблоны уведомлений"),
        ("tt", "Хәбәрнамә үрнәкләре"),
        ("en", "Notification templates"),
    ):
        phone.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for name, path in PAGES:
            phone.goto(live_server.url + path)
            assert phone.evaluate("document.documentElement.lang") == language
            if name == "list":
                assert heading in phone.inner_text("h1")
            assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
                f"{path} in {language} is wider than a phone"
            )
            shot = tmp_path / f"templates-{name}-{language}.png"
            phone.screenshot(path=str(shot), full_page=True)
    # Without JavaScript the English wording is still previewed and saved (plain forms).
    plain = new_context(java_script_enabled=False).new_page()
    sign_in(plain.context, client, admin, live_server)
    plain.goto(live_server.url + f"/notifications/staff/templates/{EVENT}/en/")
    plain.get_by_label("Subject").fill("New ticket {{ number }}")
    plain.get_by_role("button", name="Preview").click()
    shown = plain.get_by_role("region", name="Preview with sample values").inner_text()
    assert "New ticket ‹number›" in shown
    plain.get_by_role("button", name="Save as a new version").click()
    plain.wait_for_url(f"**/{EVENT}/en/")
    english = NotificationTemplate.objects.get(event=EVENT, language="en", is_active=True)
    assert (english.version, english.subject) == (2, "New ticket {{ number }}")
