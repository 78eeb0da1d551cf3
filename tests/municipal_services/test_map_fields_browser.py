"""Issue 14 walked in Chromium: a service form's "area" field drawn on the map with the mouse
(Leaflet.draw) and with the keyboard (corners at the map's centre), saved and shown again; the
"point" field clicked and placed from the keyboard; axe finds nothing; without JavaScript the
address answers the point and the pasted outline the area."""

from __future__ import annotations

import copy
import json
import os
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cityhall.municipal_services.area_field import AREA_PROPERTY
from cityhall.municipal_services.models import Application
from cityhall.municipal_services.place_field import POINT_PROPERTY
from tests.browser.support import assert_accessible, sign_in
from tests.factories import UserFactory
from tests.geo.factories import BuildingFactory, make_city

from .factories import BASE_DEFINITION, Department, published_service, texts

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")


def _wait(tab, expression: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not tab.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def _view(tab, map_id: str, lat: float, lon: float, zoom: int) -> None:
    tab.evaluate(
        "([id, lat, lon, zoom]) => window.cityhallMaps.get(id).map.setView([lat, lon], zoom,"
        " {animate: false})",
        [map_id, lat, lon, zoom],
    )


def _click_map_at(tab, map_id: str, lat: float, lon: float) -> None:
    point = tab.evaluate(
        "([id, lat, lon]) => { const p = window.cityhallMaps.get(id).map"
        ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [map_id, lat, lon],
    )
    tab.locator(f"#{map_id}").click(position={"x": point[0], "y": point[1]})


def _draw_click(tab, map_id: str, lat: float, lon: float) -> None:
    """A click as a person makes it: the pointer moves there first (Leaflet.draw places a
    corner where its marker follows the pointer) and the next click comes a moment later
    (it ignores clicks within 50 ms of a corner)."""
    x, y = tab.evaluate(
        "([id, lat, lon]) => { const h = window.cityhallMaps.get(id);"
        " const p = h.map.latLngToContainerPoint([lat, lon]);"
        " const r = h.element.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }",
        [map_id, lat, lon],
    )
    tab.mouse.move(x, y, steps=4)
    tab.mouse.down()
    tab.mouse.up()
    time.sleep(0.15)


def _shot(tab, name: str) -> None:
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def draft(transactional_db):
    make_city()
    building = BuildingFactory(street="ул. Баумана", house="5", lat=55.78, lon=49.05)
    schema = copy.deepcopy(BASE_DEFINITION["form_schema"])
    schema["properties"]["site"] = copy.deepcopy(POINT_PROPERTY)
    schema["properties"]["plot"] = copy.deepcopy(AREA_PROPERTY)
    ui = copy.deepcopy(BASE_DEFINITION["ui"])
    ui["order"] += ["site", "plot"]
    ui["fields"]["site"] = {"label": texts("Место", "Site"), "widget": "point"}
    ui["fields"]["plot"] = {"label": texts("Участок", "Plot"), "widget": "area"}
    service = published_service(Department(), form_schema=schema, ui=ui)
    applicant = UserFactory(email_confirmed_at=timezone.now())
    from cityhall.municipal_services import services

    application = services.start_application(actor=applicant, service=service)
    return application, applicant, building


def test_an_applicant_draws_the_area_with_the_mouse_and_the_keyboard(
    page, draft, client, live_server
):
    application, applicant, _building = draft
    sign_in(page.context, client, applicant, live_server)
    page.goto(f"{live_server.url}/services/applications/{application.pk}/edit/")
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('f-plot-map')")
    page.locator("#f-plot-map").scroll_into_view_if_needed()
    _view(page, "f-plot-map", 55.7802, 49.0505, 17)

    # The mouse: Leaflet.draw's polygon tool, four corners, then the first again to close.
    page.locator("#f-plot-map .leaflet-draw-draw-polygon").click()
    corners = [(55.7800, 49.0500), (55.7800, 49.0510), (55.7805, 49.0510), (55.7805, 49.0500)]
    for lat, lon in [*corners, corners[0]]:
        _draw_click(page, "f-plot-map", lat, lon)
    status = page.locator("[data-area-status]")
    status.filter(has_text="An area is drawn: 4 corners.").wait_for()
    drawn = json.loads(page.locator("#f-plot").input_value())
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 5
    _shot(page, "area-field-drawn")
    assert_accessible(page)
    page.locator("button[name=action][value=save].button").click()
    page.wait_for_load_state()
    application.refresh_from_db()
    stored = application.answers["plot"]
    assert stored["type"] == "Polygon"
    assert abs(stored["coordinates"][0][0][0] - 49.05) < 0.0002

    # Shown again as the editable drawing; the keyboard replaces it by corners at the centre.
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('f-plot-map')")
    assert page.locator("#f-plot-map path.leaflet-interactive").count() >= 1
    corner = page.get_by_role("button", name="Add a corner at the centre of the map")
    map_box = page.locator("#f-plot-map")
    for key in ("ArrowLeft", "ArrowUp", "ArrowRight"):
        corner.press("Enter")  # the button has the focus: Enter presses it
        map_box.focus()
        map_box.press(key)
        time.sleep(0.3)  # the pan animation
        corner.focus()
    page.get_by_role("button", name="Close the area").press("Enter")
    status.filter(has_text="An area is drawn: 3 corners.").wait_for()
    assert len(json.loads(page.locator("#f-plot").input_value())["coordinates"][0]) == 4


def test_the_point_field_is_clicked_or_placed_from_the_keyboard(page, draft, client, live_server):
    application, applicant, building = draft
    sign_in(page.context, client, applicant, live_server)
    page.goto(f"{live_server.url}/services/applications/{application.pk}/edit/")
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('f-site-map')")
    page.locator("#f-site-map").scroll_into_view_if_needed()
    _view(page, "f-site-map", 55.78, 49.05, 17)
    _click_map_at(page, "f-site-map", 55.7801, 49.0501)
    status = page.locator("[data-point-status]")
    status.filter(has_text=building.address).wait_for()
    assert page.locator("#f-site-address").input_value() == building.address
    _shot(page, "point-field-clicked")

    # Keyboard only: the map pans with the arrows, the button puts the pin at its centre.
    _view(page, "f-site-map", 55.76, 49.15, 16)
    page.locator("#f-site-map").focus()
    page.keyboard.press("ArrowUp")
    page.get_by_role("button", name="Put the pin in the centre of the map").press("Enter")
    status.filter(has_text="no building within 60 m").wait_for()
    assert page.locator("#f-site-lat").input_value().startswith("55.76")
    assert_accessible(page)


def test_without_javascript_the_address_and_the_pasted_outline_answer(
    no_script_page, draft, client, live_server
):
    application, applicant, building = draft
    tab = no_script_page
    sign_in(tab.context, client, applicant, live_server)
    tab.goto(f"{live_server.url}/services/applications/{application.pk}/edit/")
    assert tab.locator("#f-plot-map").is_hidden()
    expect(tab.get_by_text("paste the outline here as a GeoJSON Polygon")).to_be_visible()
    _shot(tab, "map-fields-no-script")
    tab.fill("#f-site-address", "Баумана 5")
    outline = [[49.05, 55.78], [49.051, 55.78], [49.051, 55.7805], [49.05, 55.78]]
    tab.fill("#f-plot", json.dumps({"type": "Polygon", "coordinates": [outline]}))
    tab.locator("button[name=action][value=save].button").click()
    application.refresh_from_db()
    assert application.answers["site"]["building"] == building.pk
    assert application.answers["plot"]["coordinates"] == [outline]
    assert isinstance(Application.objects.get(pk=application.pk).answers["plot"], dict)
