"""Issue 14 in Chromium: the map's base layer drawn from a PMTiles archive served by the
platform (range requests read by the pinned pmtiles library), and — with the tile source
unreachable, archive or XYZ — the city's own vector layers with a quiet notice."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from tests.geo.factories import make_city
from tests.geo.tile_archives import ARCHIVE_COLOUR, write_raster_archive

pytestmark = pytest.mark.browser

DISTRICT = "/geo/districts/west/"
TILES = "#district-map canvas.leaflet-tile-loaded"


def _wait(tab, expression: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not tab.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


@pytest.fixture
def city(transactional_db):
    return make_city()


def test_the_map_draws_its_base_from_the_platforms_pmtiles_archive(
    page, city, live_server, tmp_path
):
    archive = write_raster_archive(tmp_path / "city.pmtiles")
    ranges: list[str] = []
    page.on(
        "request",
        lambda r: ranges.append(r.headers.get("range", "")) if "tiles.pmtiles" in r.url else None,
    )
    with override_settings(MAP_TILES=str(archive), MAP_ATTRIBUTION="© City survey"):
        page.goto(live_server.url + DISTRICT)
        _wait(page, f"document.querySelectorAll('{TILES}').length > 0")
        colour = page.evaluate(
            f"() => Array.from(document.querySelector('{TILES}').getContext('2d')"
            ".getImageData(128, 128, 1, 1).data).slice(0, 3)"
        )
        assert tuple(colour) == ARCHIVE_COLOUR
        assert page.locator("#district-map-notice").is_hidden()
        assert "city-map--vector" not in page.locator("#district-map").get_attribute("class")
        assert (
            "© City survey"
            in page.locator("#district-map .leaflet-control-attribution").inner_text()
        )
    assert ranges and all(r.startswith("bytes=") for r in ranges)  # read by ranges, never whole


@pytest.mark.parametrize(
    "source",
    ["{missing}/city.pmtiles", "/geo/no-such-tiles/{{z}}/{{x}}/{{y}}.png"],
    ids=["archive", "xyz"],
)
def test_an_unreachable_tile_source_falls_back_to_the_city_layers_quietly(
    page, city, live_server, tmp_path, source
):
    with override_settings(MAP_TILES=source.format(missing=tmp_path)):
        page.goto(live_server.url + DISTRICT)
        notice = page.locator("#district-map-notice")
        notice.wait_for()
        assert "the city's own map is shown instead" in notice.inner_text()
        assert notice.get_attribute("role") == "status"
        _wait(page, "document.querySelector('#district-map.city-map--vector')")
        # the city's own districts are drawn as the base
        _wait(page, "document.querySelectorAll('#district-map path').length >= 2")
