"""Keyboard-only use: the skip link comes first and lands in the main content; a form can be
filled and sent without a mouse."""

from __future__ import annotations

import re
import time

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


def test_a_table_wider_than_a_phone_becomes_a_named_keyboard_scrollable_region(
    phone_page, live_server
):
    tab = phone_page
    tab.goto(live_server.url + "/")
    tab.evaluate(
        """() => {
        const cells = Array.from({length: 12}, (_, i) => `<td>Column number ${i}</td>`).join("");
        document.querySelector("main").insertAdjacentHTML("beforeend",
            `<h2>Requests by district</h2><div class="table-wrap" id="wide"><table>
             <tr>${cells}</tr></table></div>`);
        window.dispatchEvent(new Event("resize"));
    }"""
    )
    wide = tab.locator("#wide")
    wide.and_(tab.locator("[tabindex='0']")).wait_for()
    assert wide.get_attribute("role") == "region"
    assert wide.get_attribute("aria-label") == "Requests by district"

    wide.focus()
    tab.keyboard.press("ArrowRight")
    # Polled from here: the page's policy forbids the eval wait_for_function would use.
    _until(tab, "document.getElementById('wide').scrollLeft > 0")

    # A table that fits is not a tab stop.
    tab.evaluate("document.querySelector('#wide table').style.display = 'none'")
    tab.evaluate("window.dispatchEvent(new Event('resize'))")
    tab.locator("#wide:not([tabindex])").wait_for(state="attached")


def _until(tab, expression: str, timeout: float = 10.0) -> None:
    """Wait until ``expression`` is true in the page (evaluated through the DevTools protocol,
    which the Content-Security-Policy does not restrict, unlike ``wait_for_function``)."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        tab.wait_for_timeout(50)
