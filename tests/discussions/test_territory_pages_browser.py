"""The map with every discussion placed, the subscription by address or map point, and the
"remind me" button: axe (WCAG 2.2 AA) on desktop and phone, and each works without
JavaScript (a point on the map is the JavaScript extra; the address does the same without)."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from cityhall.discussions.models import Follow, Status, Subscription
from tests.browser.support import assert_accessible, assert_page_says, sign_in
from tests.geo.factories import box

from .factories import DiscussionFactory
from .map_checks import assert_areas_drawn

#: Where to keep screenshots to look at (CITYHALL_SCREENSHOTS); none are taken without it.
SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def placed(city, council, west_home):
    DiscussionFactory(organiser=council, title="Сквер", territory=box(49.12, 55.76, 49.14, 55.78))
    DiscussionFactory(organiser=council, title="Западный район", districts=[city.west])
    DiscussionFactory(organiser=council, title="Генплан", status=Status.ANNOUNCED)
    return city


def test_map_and_subscription_pages_pass_axe(page, phone_page, live_server, placed):
    for tab in (page, phone_page):
        assert tab.goto(live_server.url + "/discussions/map/").ok
        # Each discussion is its territory on the map (no stacked markers).
        tab.locator("#discussions-map path.leaflet-interactive").nth(2).wait_for()
        assert_accessible(tab)
        tab.goto(live_server.url + "/discussions/?address=Западная+1")
        assert tab.get_by_role("link", name="RSS feed", exact=True).count() == 1
        assert_accessible(tab)
        tab.goto(live_server.url + "/discussions/subscribe/")
        tab.get_by_label("E-mail").fill("a@example.org")
        tab.get_by_label("Or an address").fill("Несуществующая 99")
        tab.get_by_role("button", name="Subscribe").click()
        tab.get_by_text("We do not know the address").first.wait_for()
        assert_accessible(tab)


def test_discussions_map_draws_territories_on_first_load(page, live_server, placed):
    """Regression: the map stayed empty until the first pan or zoom (the page's rule for its
    own SVG pictures shrank Leaflet's renderer to 0x0). No interaction here at all."""
    page.goto(live_server.url + "/discussions/map/")
    # The square's own territory, the west district, the whole city.
    assert_areas_drawn(page, "discussions-map", count=3)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/discussions-map.png")


def test_subscribe_by_address_without_javascript(no_script_page, live_server, placed):
    tab = no_script_page
    tab.goto(live_server.url + "/discussions/map/")
    tab.get_by_label("E-mail").fill("home@example.org")
    tab.get_by_label("Or an address").fill("Несуществующая 99")
    tab.get_by_role("button", name="Subscribe").click()
    assert_page_says(tab, "We do not know the address")
    tab.get_by_label("Or an address").fill("Западная 1")
    tab.get_by_role("button", name="Subscribe").click()
    assert_page_says(tab, "Open it to confirm the subscription")
    sub = Subscription.objects.get()
    assert (sub.email, sub.lat, sub.lon) == ("home@example.org", 55.78, 49.05)


def test_choose_a_point_on_the_map(page, live_server, placed):
    page.goto(live_server.url + "/discussions/map/")
    page.get_by_role("button", name="Choose a point on the map").click()
    page.locator("#discussions-map.leaflet-container").wait_for()
    # Inside the north of the west district, where no territory lies.
    point = page.evaluate(
        "() => window.cityhallMaps.get('discussions-map').map"
        ".latLngToContainerPoint([55.83, 49.03])"
    )
    page.locator("#discussions-map").click(position={"x": point["x"], "y": point["y"]})
    assert page.url.endswith("/discussions/map/")  # no link was followed
    page.locator("#subscribe-map-status").filter(has_text="Chosen point").wait_for()
    page.get_by_label("E-mail").fill("point@example.org")
    page.get_by_role("button", name="Subscribe").click()
    page.get_by_text("Open it to confirm the subscription").wait_for()
    sub = Subscription.objects.get()
    assert 49.0 <= sub.lon <= 49.1 and 55.8 <= sub.lat <= 55.85


def test_remind_me_without_javascript(new_context, client, live_server, discussion, resident):
    context = new_context(java_script_enabled=False)
    sign_in(context, client, resident, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{discussion.pk}/")
    tab.get_by_role("button", name="Follow and remind me").click()
    expect(tab.get_by_role("button", name="Stop reminders")).to_have_count(1)
    assert Follow.objects.filter(discussion=discussion, user=resident).exists()
    # The page in both states passes axe (checked in a tab with JavaScript, as axe needs).
    checked = new_context()
    sign_in(checked, client, resident, live_server)
    with_script = checked.new_page()
    with_script.goto(f"{live_server.url}/discussions/{discussion.pk}/")
    assert_accessible(with_script)
    with_script.get_by_role("button", name="Stop reminders").click()
    with_script.get_by_role("button", name="Follow and remind me").wait_for()
    assert_accessible(with_script)
