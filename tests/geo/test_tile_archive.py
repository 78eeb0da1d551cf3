"""Issue 14: the map's base layer may be a PMTiles archive served by the platform
(geo.tile_archive, ADR 0029): the file is answered by HTTP range requests as the browser's
PMTiles reader asks, and pages load the reader only when an archive is configured."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import override_settings
from django.urls import reverse

from .tile_archives import write_raster_archive

pytestmark = pytest.mark.django_db
URL = "/geo/map/tiles.pmtiles"


@pytest.fixture
def archive(tmp_path):
    path = write_raster_archive(tmp_path / "city.pmtiles")
    with override_settings(MAP_TILES=str(path), MAP_ATTRIBUTION="© City survey"):
        yield path.read_bytes()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_archive_is_answered_by_byte_ranges(client, archive):
    size = len(archive)
    assert reverse("geo:tile_archive") == URL
    header = client.get(URL, headers={"Range": "bytes=0-126"})
    assert header.status_code == 206
    assert header["Content-Range"] == f"bytes 0-126/{size}"
    assert header["Content-Length"] == "127" and header["Accept-Ranges"] == "bytes"
    assert _body(header) == archive[:127] and archive[:7] == b"PMTiles"

    assert _body(client.get(URL, headers={"Range": "bytes=100-"})) == archive[100:]
    assert _body(client.get(URL, headers={"Range": "bytes=-10"})) == archive[-10:]
    past_end = client.get(URL, headers={"Range": "bytes=0-999999"})
    assert past_end["Content-Range"] == f"bytes 0-{size - 1}/{size}"

    refused = client.get(URL, headers={"Range": f"bytes={size}-"})
    assert refused.status_code == 416 and refused["Content-Range"] == f"bytes */{size}"

    whole = client.get(URL)
    assert whole.status_code == 200 and _body(whole) == archive
    assert "Content-Range" not in whole


def test_a_changed_archive_is_sent_whole_to_a_reader_with_an_old_etag(client, archive):
    etag = client.get(URL, headers={"Range": "bytes=0-9"})["ETag"]
    same = client.get(URL, headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206
    other = client.get(URL, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert other.status_code == 200 and _body(other) == archive
    head = client.head(URL, headers={"Range": "bytes=0-9"})
    assert head.status_code == 206 and head["Content-Length"] == "10"
    assert client.post(URL).status_code == 405


def test_without_an_archive_configured_there_is_none_to_serve(client, city):
    assert client.get(URL).status_code == 404
    assert "pmtiles.js" not in client.get(reverse("geo:district", args=["west"])).content.decode()
    with override_settings(MAP_TILES="https://tiles.example.org/{z}/{x}/{y}.png"):
        assert client.get(URL).status_code == 404
    with override_settings(MAP_TILES="/nonexistent/city.pmtiles"):
        assert client.get(URL).status_code == 404


def test_a_page_map_reads_the_archive_with_the_served_reader(client, city, archive):
    html = client.get(reverse("geo:district", args=["west"])).content.decode()
    raw = re.search(
        r'<script id="district-map-config" type="application/json">(.*?)</script>', html
    )
    assert json.loads(raw.group(1))["tiles"] == {
        "url": URL,
        "archive": "pmtiles",
        "attribution": "© City survey",
        "maxZoom": 19,
    }
    assert "/static/geo/vendor/pmtiles/pmtiles.js" in html and "/static/geo/map-pmtiles.js" in html
    assert finders.find("geo/vendor/pmtiles/pmtiles.js") and finders.find("geo/map-pmtiles.js")
    with override_settings(MAP_TILES="https://city.example/tiles/city.pmtiles"):
        html = client.get(reverse("geo:district", args=["west"])).content.decode()
        raw = re.search(
            r'<script id="district-map-config" type="application/json">(.*?)</script>', html
        )
        assert json.loads(raw.group(1))["tiles"]["url"] == "https://city.example/tiles/city.pmtiles"
