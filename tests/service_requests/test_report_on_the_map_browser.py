"""Issue 14 walked in Chromium: a resident reports a problem by clicking the map (and with the
keyboard: pan, then "put the pin in the centre"), sees the already-reported list first and says
"this is my problem too" instead of sending a duplicate; a click outside the city says so and
keeps the answers; axe finds nothing in ru, tt and en; without JavaScript the address still
works and the same list is shown by the form's step."""

from __future__ import annotations

import os
import time

import pytest

from cityhall.service_requests.models import Follower, ServiceRequest
from tests.browser.support import assert_accessible, assert_page_says, sign_in
from tests.factories import UserFactory

from .factories import submit

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")


def _wait(tab, expression: str, seconds: float = 20) -> None:
    """Wait until ``expression`` is true in the page (``wait_for_function`` evaluates strings,
    which the site's Content-Security-Policy rightly forbids)."""
    deadline = time.monotonic() + seconds
    while not tab.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _view(tab, lat: float, lon: float, zoom: int) -> None:
    """Show the map there at once (no animation, so its centre is known)."""
    tab.evaluate(
        "([lat, lon, zoom]) => window.cityhallMaps.get('report-map')"
        ".map.setView([lat, lon], zoom, {animate: false})",
        [lat, lon, zoom],
    )


def _click_map_at(tab, lat: float, lon: float) -> None:
    point = tab.evaluate(
        "([lat, lon]) => { const h = window.cityhallMaps.get('report-map');"
        " const p = h.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    tab.locator("#report-map").click(position={"x": point[0], "y": point[1]})


def test_a_resident_reports_by_clicking_the_map_and_sees_the_earlier_report_first(
    page, world, client, live_server
):
    earlier = submit(world)
    neighbour = UserFactory()
    sign_in(page.context, client, neighbour, live_server)
    page.goto(live_server.url + "/requests/new/")
    page.select_option("#id_category", "leak")
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('report-map')")
    page.fill("#id_description", "Вода течёт с потолка")

    # Outside the city: said next to the map, nothing typed is lost.
    _view(page, 55.7, 48.9, 12)
    _click_map_at(page, 55.72, 48.95)
    status = page.locator("#place-status")
    status.filter(has_text="outside the city").wait_for()
    assert page.locator("#id_description").input_value() == "Вода течёт с потолка"

    # A click about 15 m from the building: the pin snaps to it, the form is filled.
    _view(page, 55.78, 49.05, 17)
    _click_map_at(page, 55.7801, 49.0501)
    status.filter(has_text="UK Baumana").wait_for()
    assert world.building.address in status.inner_text()
    assert page.locator("#id_address").input_value() == world.building.address
    assert page.locator("input[name=building]").input_value() == str(world.building.pk)
    reported = page.locator("#earlier-reports")
    reported.wait_for(state="visible")
    assert earlier.number in reported.inner_text()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/report-map-en.png", full_page=True)

    # Keyboard: the map pans with the arrows; the pin goes to the centre from a button.
    centre = "window.cityhallMaps.get('report-map').map.getCenter().lng"
    _view(page, 55.781, 49.052, 17)
    page.locator("#report-map").focus()
    page.keyboard.press("ArrowLeft")
    _wait(page, f"{centre} < 49.0519")  # panned west
    _view(page, 55.781, 49.052, 17)
    page.locator("#pin-centre").focus()
    page.keyboard.press("Enter")
    _wait(
        page, f"document.querySelector('input[name=building]').value == {world.other_building.pk}"
    )
    _view(page, 55.78, 49.05, 17)
    page.locator("#pin-centre").click()
    _wait(page, f"document.querySelector('input[name=building]').value == {world.building.pk}")

    # "This is my problem too": no duplicate, the resident follows the earlier request.
    reported.get_by_role("button", name="This is my problem too").first.wait_for()
    with page.expect_navigation():
        reported.get_by_role("button", name="This is my problem too").first.click()
    assert_page_says(page, "You now follow request")
    assert ServiceRequest.objects.count() == 1
    assert Follower.objects.get().user == neighbour


@pytest.mark.parametrize("language", ["ru", "tt"])
def test_the_report_form_with_its_map_passes_axe(page, world, client, live_server, language):
    submit(world)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(live_server.url + "/requests/new/")
    page.select_option("#id_category", "leak")
    page.fill("#id_address", "ул. Баумана, 5")
    page.locator("#id_address").blur()
    page.locator("#earlier-reports").wait_for(state="visible")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/report-map-{language}.png", full_page=True)


def test_without_javascript_the_address_still_works_and_the_step_lists_earlier_reports(
    no_script_page, world, client, live_server
):
    earlier = submit(world)
    tab = no_script_page
    sign_in(tab.context, client, UserFactory(), live_server)
    tab.goto(live_server.url + "/requests/new/")
    assert tab.locator("#report-map").is_hidden()  # no empty box
    tab.select_option("#id_category", "leak")
    tab.fill("#id_address", "ул. Баумана, 5")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Check for earlier reports at this address").click()
    assert earlier.number in tab.locator("#earlier-reports").inner_text()
    assert "UK Baumana" in tab.locator("#place-status").inner_text()
    with tab.expect_navigation():
        tab.get_by_role("button", name="This is my problem too").click()
    assert Follower.objects.count() == 1 and ServiceRequest.objects.count() == 1


def test_the_call_centre_screen_has_the_same_map_and_list(page, world, client, live_server):
    earlier = submit(world)
    sign_in(page.context, client, world.operator, live_server)
    page.goto(live_server.url + "/requests/staff/call-centre/?phone=%2B79175550009")
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('report-map')")
    page.select_option("#id_category", "leak")
    page.fill("#id_address", "ул. Баумана, 5")
    page.locator("#id_address").blur()
    reported = page.locator("#earlier-reports")
    reported.wait_for(state="visible")
    assert earlier.number in reported.inner_text()
    assert_accessible(page)
    with page.expect_navigation():
        reported.get_by_role("button", name="This is my problem too").click()
    assert_page_says(page, "The caller now follows request")
    assert Follower.objects.get().contact_phone == "+79175550009"
