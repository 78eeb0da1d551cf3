"""The header's language switch: Russian by default, English on request, remembered."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _main_text(tab) -> str:
    return tab.locator("main").inner_text()


def test_switching_to_english_changes_html_lang_and_text(new_context, live_server, settings):
    settings.LANGUAGE_CODE = "ru"
    # A browser language the portal does not offer, so the portal's default applies.
    tab = new_context(locale="de-DE").new_page()

    tab.goto(live_server.url + "/accounts/login/")
    assert tab.locator("html").get_attribute("lang") == "ru"
    russian = _main_text(tab)
    assert "Пароль" in russian
    russian_heading = tab.locator("main h1").inner_text()

    tab.select_option("#lang-select", "en")
    with tab.expect_navigation():
        tab.locator("form.lang-switch button[type=submit]").click()

    assert tab.url == live_server.url + "/accounts/login/"
    assert tab.locator("html").get_attribute("lang") == "en"
    english = _main_text(tab)
    assert "Password" in english
    assert "Пароль" not in english
    assert tab.locator("main h1").inner_text() == "Sign in" != russian_heading
    assert tab.locator("#lang-select").input_value() == "en"

    # The choice is remembered on the next page.
    tab.goto(live_server.url + "/feedback/")
    assert tab.locator("html").get_attribute("lang") == "en"


def test_each_language_is_offered_in_its_own_language(page, live_server):
    page.goto(live_server.url + "/")
    options = page.locator("#lang-select option")
    offered = {
        options.nth(i).get_attribute("value"): options.nth(i).get_attribute("lang")
        for i in range(options.count())
    }
    assert offered == {"ru": "ru", "tt": "tt", "en": "en"}
    assert page.locator("#lang-select option[value=ru]").inner_text() == "Русский"
