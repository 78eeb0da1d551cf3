"""In Chromium: the organiser draws a discussion's territory with the keyboard (pan the map with
the arrow keys, add corners at its centre), the public page and the map of discussions show it;
without JavaScript the organiser picks a suburb instead. Axe on every page, in ru, tt and en."""

from __future__ import annotations

from pathlib import Path

import pytest

from cityhall.discussions.models import Status
from tests.browser.support import assert_accessible, assert_page_says, sign_in

from .factories import DiscussionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/cityhall-shots")


def _tab(new_context, client, live_server, user, language="en", **options):
    context = new_context(**options)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    sign_in(context, client, user, live_server)
    return context.new_page()


def test_organiser_draws_the_territory_with_the_keyboard(
    new_context, client, live_server, city, council, organiser
):
    draft = DiscussionFactory(organiser=council, status=Status.ANNOUNCED, title="Сквер")
    tab = _tab(new_context, client, live_server, organiser)
    tab.goto(f"{live_server.url}/discussions/manage/{draft.pk}/territory/")
    tab.locator("#territory-draw-map.leaflet-container").wait_for()
    assert_accessible(tab)
    add = tab.get_by_role("button", name="Add a corner at the centre of the map")
    add.focus()
    tab.keyboard.press("Enter")
    for key in ("ArrowRight", "ArrowDown"):
        tab.locator("#territory-draw-map").focus()
        for _ in range(2):
            tab.keyboard.press(key)
        tab.wait_for_timeout(400)  # the map's pan animation ends before the next corner
        add.focus()
        tab.keyboard.press("Enter")
    tab.get_by_text("Corners placed: 3").wait_for()
    tab.get_by_role("button", name="Close the area").focus()
    tab.keyboard.press("Enter")
    tab.get_by_text("Areas drawn: 1.").wait_for()
    assert '"Polygon"' in tab.get_by_label("Territory drawn on the map (GeoJSON)").input_value()
    SHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SHOTS / "discussion-territory-drawing.png"), full_page=True)
    tab.get_by_role("button", name="Save the territory").focus()
    tab.keyboard.press("Enter")
    tab.get_by_text("The territory is saved.").wait_for()
    draft.refresh_from_db()
    assert draft.territory["type"] == "Polygon"
    ring = draft.territory["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert max(lons) - min(lons) > 0.001 and max(lats) - min(lats) > 0.001  # a real area

    for language in ("ru", "tt", "en"):
        public = _tab(new_context, client, live_server, organiser, language)
        public.goto(f"{live_server.url}/discussions/{draft.pk}/")
        public.locator("#territory-map path.leaflet-interactive").first.wait_for()
        assert public.locator("html").get_attribute("lang") == language
        assert_accessible(public)
        SHOTS.mkdir(exist_ok=True)
        public.locator("#territory-h").scroll_into_view_if_needed()
        public.screenshot(path=str(SHOTS / f"discussion-territory-{language}.png"))
    public.goto(f"{live_server.url}/discussions/map/")
    public.locator("#discussions-map path.leaflet-interactive").first.wait_for(state="attached")
    assert_accessible(public)
    public.screenshot(path=str(SHOTS / "discussions-map.png"), full_page=True)


def test_organiser_picks_a_suburb_without_javascript(
    new_context, client, live_server, city, council, organiser, west_home
):
    draft = DiscussionFactory(organiser=council, status=Status.ANNOUNCED, title="Северный")
    tab = _tab(new_context, client, live_server, organiser, java_script_enabled=False)
    tab.goto(f"{live_server.url}/discussions/manage/{draft.pk}/territory/")
    tab.get_by_label("North (West District)").check()
    tab.get_by_role("button", name="Save the territory").click()
    assert_page_says(tab, "The territory is saved.")
    tab.goto(f"{live_server.url}/discussions/{draft.pk}/")
    assert tab.locator("noscript").count() >= 1
    assert tab.locator(".territory svg a.map-territory").count() == 1
    draft.refresh_from_db()
    assert draft.territory is not None and draft.districts.get() == city.west
