"""Keyboard-only use: the skip link comes first and lands in the main content; a form can be
filled and sent without a mouse."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def _focused(tab) -> dict:
    return tab.evaluate(
        "() => { const el = document.activeElement; const box = el.getBoundingClientRect();"
        " return {tag: el.tagName.toLowerCase(), id: el.id, cls: el.className,"
        " text: el.innerText, x: box.x, y: box.y, w: box.width, h: box.height}; }"
    )


@pytest.mark.parametrize("path", ["/", "/feedback/"])
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, live_server, path):
    page.goto(live_server.url + path)

    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["cls"] == "skip-link", f"first Tab stop is {focused}"
    assert focused["x"] >= 0 and focused["y"] >= 0 and focused["w"] > 0, "skip link not shown"

    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"


def test_feedback_form_can_be_sent_with_the_keyboard_alone(page, live_server):
    page.goto(live_server.url + "/feedback/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link: focus moves to main

    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_name"
    page.keyboard.type("Alsu Garipova")
    page.keyboard.press("Tab")
    page.keyboard.type("alsu@example.org")
    page.keyboard.press("Tab")
    assert _focused(page)["id"] == "id_topic"
    page.keyboard.press("ArrowDown")  # second topic: a technical problem
    page.keyboard.press("Tab")
    page.keyboard.type("The map does not load on my phone.")
    page.keyboard.press("Tab")
    assert _focused(page)["tag"] == "button"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert re.search(r"TS-\d{4}-\d{6}", page.locator("main").inner_text())
