"""A file named by its address is fetched within bounds: http(s) only, public hosts only (unless
a setting allows loopback for tests), a few redirects, a time and a size limit."""

from __future__ import annotations

import pytest

from cityhall.core.remote_media import RemoteFileRefused, fetch


def test_file_is_fetched_through_a_redirect(media_server):
    media_server.add("/photo.png", b"\x89PNG data", headers={"Content-Type": "image/png"})
    url = media_server.add("/go", status=302, headers={"Location": "/photo.png"})
    fetched = fetch(url, max_bytes=1000)
    assert fetched.content == b"\x89PNG data" and fetched.name == "photo.png"


@pytest.mark.parametrize(
    ("path", "route", "reason"),
    [
        ("/big", {"body": b"x" * 2000}, "larger than"),
        ("/slow", {"body": b"x", "delay": 3}, "too long"),
        ("/loop", {"status": 302, "headers": {"Location": "/loop"}}, "too many"),
        ("/ftp", {"status": 302, "headers": {"Location": "ftp://127.0.0.1/x"}}, "http and https"),
        ("/missing", None, "could not be fetched"),
    ],
)
def test_bounds_refuse_with_the_reason(media_server, path, route, reason):
    if route is not None:
        media_server.add(path, **route)
    with pytest.raises(RemoteFileRefused) as refused:
        fetch(media_server.url + path, max_bytes=1000)
    assert reason in str(refused.value.message)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x.png",
        "http://[::1]/x.png",
        "http://10.0.0.5/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.1.1/x.png",
        "http://localhost/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "file:///etc/passwd",
        "gopher://example.com/",
    ],
)
def test_private_and_local_addresses_are_never_fetched(settings, url):
    settings.FILES_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(RemoteFileRefused):
        fetch(url, max_bytes=1000)


def test_a_public_name_redirecting_to_loopback_is_refused(media_server, settings):
    url = media_server.add("/to-inside", status=302, headers={"Location": "http://127.0.0.1:9/"})
    settings.FILES_FETCH_ALLOW_PRIVATE = False
    with pytest.raises(RemoteFileRefused) as refused:
        fetch(url, max_bytes=1000)
    assert "private or local" in str(refused.value.message)
