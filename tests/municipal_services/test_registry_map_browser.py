"""Issue 14 walked in Chromium: the public registry's map shows permits and leases as pins
that open from the keyboard with their number, register, address and date (never the
holder); axe finds nothing; without JavaScript the table and the drawn map remain."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from playwright.sync_api import expect

from cityhall.municipal_services.models import RegistryRecord
from tests.browser.support import assert_accessible
from tests.geo.factories import make_city

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CITYHALL_SCREENSHOTS", "")


def _wait(tab, expression: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not tab.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


@pytest.fixture
def records(transactional_db):
    make_city()
    common = {"holder": "Иванов Иван Иванович", "issued_on": dt.date(2026, 3, 2)}
    RegistryRecord.objects.create(
        registry="building-permits",
        number="16-RU-0007",
        title="Разрешение на строительство",
        address="г. Казань, ул. Баумана, 5",
        lat=55.78,
        lon=49.05,
        **common,
    )
    RegistryRecord.objects.create(
        registry="land-leases", number="L-12", title="Аренда участка", lat=55.8, lon=49.15, **common
    )


def test_the_registry_map_pins_open_from_the_keyboard(page, records, live_server):
    page.goto(live_server.url + "/services/registry/")
    _wait(page, "window.cityhallMaps && window.cityhallMaps.get('registry-map')")
    # One look per register, named in the legend beside the map.
    assert page.locator("#registry-map .city-map-pin--registry-0").count() == 1
    assert page.locator("#registry-map .city-map-pin--registry-1").count() == 1
    legend = page.locator("#registry-map-legend").inner_text()
    assert "building-permits" in legend and "land-leases" in legend
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/registry-map.png", full_page=True)
    assert_accessible(page)
    pin = page.get_by_role("button", name="16-RU-0007: Разрешение на строительство")
    pin.focus()
    page.keyboard.press("Enter")
    popup = page.locator("#registry-map .leaflet-popup-content")
    popup.wait_for()
    # Leaflet fades a pop-up in: axe reads the colours once it is fully shown.
    page.wait_for_function(
        "() => { const p = document.querySelector('#registry-map .leaflet-popup');"
        " return p && getComputedStyle(p).opacity === '1'; }"
    )
    text = popup.inner_text()
    assert "г. Казань, ул. Баумана, 5" in text and "Issued 03/02/2026" in text
    assert "Иванов" not in page.locator("#registry-map").inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/registry-map-open.png", full_page=True)
    assert_accessible(page)


def test_without_javascript_the_registry_keeps_its_table_and_drawn_map(
    no_script_page, records, live_server
):
    no_script_page.goto(live_server.url + "/services/registry/")
    assert no_script_page.locator("#registry-map").is_hidden()
    expect(no_script_page.get_by_role("cell", name="16-RU-0007")).to_be_visible()
    drawn = no_script_page.locator("img[src*='/services/registry/map']")
    assert drawn.is_visible()
    if SHOTS:
        no_script_page.screenshot(path=f"{SHOTS}/registry-no-script.png", full_page=True)
