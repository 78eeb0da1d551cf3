"""The maps in Chromium (issue 14): the public requests map, a request's small map and a
building's page pass axe in ru, tt and en; keyboard only, a visitor zooms the public map, moves
it, reaches a pin and opens its request. Every tab fails on a CSP violation (no inline code)."""

from __future__ import annotations

import os
import time

import pytest

from tests.browser.support import assert_accessible

from .factories import submit

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")


def _tab(new_context, live_server, language: str):
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context.new_page()


def _until(tab, script: str, timeout: float = 5.0) -> None:
    """Poll ``script`` (an expression) until true; wait_for_function would need eval (CSP)."""
    deadline = time.monotonic() + timeout
    while not tab.evaluate(script):
        if time.monotonic() > deadline:
            pytest.fail(f"never true: {script}")
        tab.wait_for_timeout(50)


def _loaded(tab) -> None:
    tab.wait_for_selector("#requests-map .leaflet-marker-icon")


def test_the_maps_pass_axe_in_three_languages(new_context, live_server, world):
    request = submit(world)
    submit(world, building=world.orphan_building, category=world.heating)
    pages = [
        "/requests/map/",
        f"/requests/{request.pk}/",
        f"/geo/buildings/{world.building.pk}/",
        f"/geo/districts/{world.city.west.code}/",
    ]
    for language in ("ru", "tt", "en"):
        tab = _tab(new_context, live_server, language)
        for path in pages:
            tab.goto(live_server.url + path)
            tab.wait_for_selector(".city-map.leaflet-container")
            if path == "/requests/map/":
                _loaded(tab)
                zoom_in = tab.locator(".leaflet-control-zoom-in")
                assert (
                    zoom_in.get_attribute("title")
                    == {
                        "ru": "Приблизить",
                        "tt": "Якынайту",
                        "en": "Zoom in",
                    }[language]
                )
            assert_accessible(tab)
            if SHOTS:
                name = path.strip("/").replace("/", "-")
                tab.screenshot(path=f"{SHOTS}/{name}-{language}.png", full_page=True)


def test_keyboard_only_zoom_pan_and_open_a_pin(new_context, live_server, world):
    request = submit(world)
    tab = _tab(new_context, live_server, "en")
    tab.goto(live_server.url + "/requests/map/")
    _loaded(tab)
    box = tab.locator("#requests-map")
    box.focus()
    zoom = tab.evaluate("window.cityhallMaps.get('requests-map').map.getZoom()")
    tab.keyboard.press("+")
    _until(tab, f"window.cityhallMaps.get('requests-map').map.getZoom() > {zoom}")
    centre = tab.evaluate("window.cityhallMaps.get('requests-map').map.getCenter().lng")
    tab.keyboard.press("ArrowRight")
    _until(tab, f"window.cityhallMaps.get('requests-map').map.getCenter().lng > {centre}")
    tab.wait_for_load_state("networkidle")  # the moved view's pins are in
    pin = tab.locator(f'#requests-map .leaflet-marker-icon[aria-label^="{request.number}"]')
    pin.wait_for()
    for _ in range(20):  # Tab from the map box to the pin, as a keyboard user does
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.getAttribute('aria-label') || ''").startswith(
            request.number
        ):
            break
    else:
        pytest.fail("the pin is not reachable with Tab")
    tab.keyboard.press("Enter")
    link = tab.locator(".city-map-popup a")
    link.wait_for()
    for _ in range(5):  # the popup's link is the next stop (or already has the focus)
        if tab.evaluate("document.activeElement.closest('.city-map-popup') !== null"):
            break
        tab.keyboard.press("Tab")
    else:
        pytest.fail("the opened pin's link is not reachable with Tab")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url.endswith(f"/requests/{request.pk}/")


def test_without_javascript_the_map_page_is_a_list_and_a_search(new_context, live_server, world):
    request = submit(world)
    tab = new_context(java_script_enabled=False).new_page()
    tab.goto(live_server.url + "/requests/map/")
    assert tab.locator("#requests-map").is_hidden()
    assert tab.locator(f"main a:has-text('{request.number}')").count() == 1
    tab.fill("#id_q", "Баумана 5")
    with tab.expect_navigation():
        tab.locator("form[role=search] button").click()
    assert "/geo/search/" in tab.url
