"""A proposal's place in Chromium, with the keyboard only: an area drawn corner by corner at the
centre of the map, a place outside the territory refused next to the map with the answers
kept, the proposal page and the discussion's map of proposals, whose pin opens its proposal
with Enter; axe on the three pages, in ru, tt and en. The territory is the west district."""

from __future__ import annotations

import json
import os

import pytest

from cityhall.discussions import services
from cityhall.discussions.models import Proposal
from tests.browser.support import assert_accessible, assert_page_says, sign_in

from .map_checks import assert_areas_drawn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")


def _press(tab, name: str) -> None:
    """Focus the button ``name`` (as Tab would) and press Enter."""
    tab.get_by_role("button", name=name, exact=True).focus()
    tab.keyboard.press("Enter")


_MOVED = """(id) => { window.mapMoved = new Promise(
  (done) => window.cityhallMaps.get(id).map.once('moveend', done)); }"""


def _pan(tab, map_id: str, key: str, times: int = 1) -> None:
    """Pan the focused map with an arrow key, each press once the last move ended (Leaflet
    ignores a key pressed while the map still glides)."""
    tab.locator(f"#{map_id}").focus()
    for _ in range(times):
        tab.evaluate(_MOVED, map_id)
        tab.keyboard.press(key)
        tab.evaluate("() => window.mapMoved")


def test_keyboard_only_resident_draws_a_place_and_opens_it_from_the_map_of_proposals(
    new_context, client, live_server, discussion, resident
):
    services.submit_proposal(
        discussion=discussion, author=resident, text="Фонарь у остановки", lat=55.8, lon=49.05
    )
    context = new_context()
    sign_in(context, client, resident, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{discussion.pk}/propose/")
    tab.locator("#proposal-place-map.leaflet-container").wait_for()
    assert_areas_drawn(tab, "proposal-place-map", count=1)  # the territory, on first load
    tab.get_by_label("Text").focus()
    tab.keyboard.type("Сквер вместо парковки")

    # Outside the territory (the map moved east with the arrow keys): said, nothing changes.
    _pan(tab, "proposal-place-map", "ArrowRight", times=8)
    _press(tab, "Put the point at the centre of the map")
    status = tab.locator("#proposal-place-status")
    assert "outside the discussion" in status.inner_text()
    assert tab.locator("#id_lat").input_value() == ""
    assert tab.get_by_label("Text").input_value() == "Сквер вместо парковки"

    # Back inside; three corners a few arrow presses apart, then close the area.
    _pan(tab, "proposal-place-map", "ArrowLeft", times=8)
    _press(tab, "Add a corner at the centre of the map")
    _pan(tab, "proposal-place-map", "ArrowRight")
    _press(tab, "Add a corner at the centre of the map")
    _pan(tab, "proposal-place-map", "ArrowDown")
    _press(tab, "Add a corner at the centre of the map")
    _press(tab, "Close the area")
    assert "The area is drawn (3 corners)" in status.inner_text()
    assert json.loads(tab.locator("#id_area").input_value())["type"] == "Polygon"
    assert_accessible(tab)
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/proposal-place-form.png", full_page=True)
    _press(tab, "Submit")
    tab.wait_for_url(f"**/discussions/{discussion.pk}/proposals/2/")
    assert Proposal.objects.get(number=2).area["type"] == "Polygon"
    assert_page_says(tab, "An area drawn on the map")
    assert_areas_drawn(tab, "proposal-map", count=1)
    assert_accessible(tab)

    # The map of proposals: the territory and the drawn area on first load; the point's pin
    # is reached with the keyboard and opens its proposal.
    tab.goto(f"{live_server.url}/discussions/{discussion.pk}/proposals/map/")
    assert_areas_drawn(tab, "proposals-map", count=2)
    assert_accessible(tab)
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/proposals-map.png", full_page=True)
    pin = tab.locator("#proposals-map .leaflet-marker-icon").first
    pin.focus()
    tab.keyboard.press("Enter")
    link = tab.locator("#proposals-map .city-map-popup a")
    link.wait_for()
    assert tab.evaluate("() => document.activeElement.textContent") == link.inner_text()
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"**/discussions/{discussion.pk}/proposals/1/")


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_proposal_place_pages_in_russian_and_tatar(
    new_context, client, live_server, discussion, resident, organiser, language
):
    """The resident's form (its place and the attachment's accepted types), the map of
    proposals, and the organiser's form for paper proposals with the same place fieldset."""
    services.submit_proposal(
        discussion=discussion, author=resident, text="Фонарь у остановки", lat=55.8, lon=49.05
    )
    context = new_context()
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(context, client, resident, live_server)
    tab = context.new_page()
    heading = {"ru": "Место, о котором речь", "tt": "Сүз барган урын"}[language]
    tab.goto(f"{live_server.url}/discussions/{discussion.pk}/propose/")
    tab.locator("legend", has_text=heading).wait_for()
    tab.locator("#proposal-place-map.leaflet-container").wait_for()
    accepted = {"ru": "Принимаются файлы: PDF, JPEG, PNG, WebP", "tt": "Кабул ителә"}[language]
    assert accepted in tab.locator("#id_attachments_helptext").inner_text()
    assert_accessible(tab)
    tab.goto(f"{live_server.url}/discussions/{discussion.pk}/proposals/map/")
    title = {"ru": "Карта предложений", "tt": "Тәкъдимнәр картасы"}[language]
    assert tab.get_by_role("heading", name=title, level=1).count() == 1
    assert_accessible(tab)
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/proposals-map-{language}.png", full_page=True)
    sign_in(context, client, organiser, live_server)
    tab.goto(f"{live_server.url}/discussions/manage/{discussion.pk}/register/")
    tab.locator("legend", has_text=heading).wait_for()
    tab.locator("#proposal-place-map.leaflet-container").wait_for()
    assert_accessible(tab)
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/paper-proposal-place-{language}.png", full_page=True)
