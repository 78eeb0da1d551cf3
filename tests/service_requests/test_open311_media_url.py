"""Open311 ``media_url`` both ways: a POSTed address is fetched in the background, checked like
any upload and attached; GET answers with the address of the request's first public photo."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord, StoredFile
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest

from .factories import photo


@pytest.fixture
def api_key(world):
    _client, key = services.create_open311_client(name="City app", actor=None)
    return key


def _post(client, api_key, **fields):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "leak",
            "lat": "55.78001",
            "long": "49.05001",
            **fields,
        },
    )


def test_media_url_is_fetched_after_commit_checked_and_round_trips(
    client,
    world,
    api_key,
    media_server,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SITE_URL = "https://city.example"
    url = media_server.add("/leak.png", photo().read(), headers={"Content-Type": "image/png"})
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, api_key, media_url=url)  # a photo alone is a report
    assert response.status_code == 200, response.content
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    stored = request.photos.get().stored
    assert stored.content_type == "image/png" and stored.file.name.endswith(".png")
    assert AuditRecord.objects.filter(action="request.media_url_fetched").count() == 1

    # GeoReport v2 publishes media_url: a client's photo is public once it passed the checks
    assert stored.visibility == StoredFile.Visibility.PUBLIC
    detail = f"/open311/v2/requests/{request.number}.json"
    media_url = client.get(detail).json()[0]["media_url"]
    assert media_url == f"https://city.example/files/{stored.pk}/"
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["media_url"] for r in listed if r["service_request_id"] == request.number] == [
        media_url
    ]
    served = client.get(media_url.removeprefix("https://city.example"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_media_private_keeps_a_fetched_photo_to_the_case(
    client, world, api_key, media_server, django_capture_on_commit_callbacks
):
    url = media_server.add("/leak.png", photo().read(), headers={"Content-Type": "image/png"})
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, api_key, media_url=url, media_private="true")
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    stored = request.photos.get().stored
    assert stored.visibility == StoredFile.Visibility.CASE
    assert client.get(f"/open311/v2/requests/{request.number}.json").json()[0]["media_url"] is None
    assert client.get(f"/files/{stored.pk}/").status_code == 302  # sign in first


def test_a_media_url_that_is_not_a_photo_is_refused_and_the_request_stays(
    client,
    world,
    api_key,
    media_server,
    django_capture_on_commit_callbacks,
):
    url = media_server.add("/page.html", b"<html><script>alert(1)</script></html>")
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, api_key, description="Roof leaks", media_url=url)
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert not request.photos.exists()
    refused = AuditRecord.objects.get(action="request.media_url_refused")
    assert refused.after["reason"]


def test_media_url_must_be_an_http_address(client, world, api_key):
    response = _post(client, api_key, description="Roof leaks", media_url="file:///etc/passwd")
    assert response.status_code == 400
    assert "media_url" in response.json()[0]["description"]
    assert not ServiceRequest.objects.exists()


def test_loopback_media_url_is_not_fetched_without_the_setting(
    client,
    world,
    api_key,
    media_server,
    settings,
    django_capture_on_commit_callbacks,
):
    url = media_server.add("/leak.png", photo().read())
    settings.FILES_FETCH_ALLOW_PRIVATE = False
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, api_key, description="Roof leaks", media_url=url)
    request = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert not request.photos.exists()
    assert (
        "private or local"
        in AuditRecord.objects.get(action="request.media_url_refused").after["reason"]
    )
