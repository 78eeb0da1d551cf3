"""Request lists show each request's first photo as a thumbnail — the public list and the map's
pop-ups only photos shown to everyone, the resident's cabinet and the staff board and queue all
of them — read with the list's own query (no query per row); while the background job has not
made a thumbnail, or when the photo is gone, the list shows a neutral picture, never an error."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from .factories import photo, submit

PAGES = [
    ("service_requests:list", "resident", True),
    ("service_requests:mine", "resident", False),
    ("service_requests:board", "dispatcher", False),  # with ?status=routed below
    ("service_requests:queue", "executor", False),
]


def _thumb(request) -> str:
    return f"/files/{request.photos.get().stored_id}/thumbnail/?placeholder=1"


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(("page", "reader", "public_only"), PAGES)
def test_a_list_shows_first_photos_as_thumbnails_without_a_query_per_request(
    client, world, page, reader, public_only
):
    shown = submit(world, photos=[photo()], photos_public=True)
    private = submit(world, photos=[photo()])
    submit(world)  # no photo
    client.force_login(getattr(world, reader))
    url = reverse(page) + ("?status=routed" if page.endswith("board") else "")
    client.get(url)  # what a process reads once (the catalogue, districts) is read now
    few, html = _queries(client, url)
    assert f'<img src="{_thumb(shown)}" alt="Photo of the request {shown.number}"' in html
    assert (_thumb(private) in html) is not public_only

    for _ in range(4):
        submit(world, photos=[photo(), photo()], photos_public=True)
        submit(world)
    many, html = _queries(client, url)
    assert html.count("?placeholder=1") >= 5
    assert many == few, "each request shown must not cost a query"


def test_until_the_thumbnail_is_made_a_list_shows_a_neutral_picture(
    client, world, django_capture_on_commit_callbacks
):
    waiting = submit(world, photos=[photo(size=(1200, 900))], photos_public=True)
    answer = client.get(_thumb(waiting))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"
    assert answer["Cache-Control"] == "private, no-store"

    with django_capture_on_commit_callbacks(execute=True):
        made = submit(world, photos=[photo(size=(1200, 900))], photos_public=True)
    answer = client.get(_thumb(made))
    assert answer["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(answer.streaming_content))) as image:
        assert image.size == (480, 360)

    gone = made.photos.get().stored
    default_storage.delete(gone.file.name)
    default_storage.delete(f"thumbnails/{gone.pk}.jpg")
    answer = client.get(_thumb(made))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"
    page = client.get(reverse("service_requests:list"))
    assert page.status_code == 200 and _thumb(made) in page.content.decode()


def test_a_map_pop_up_shows_the_thumbnail_of_a_public_photo_only(client, world):
    shown = submit(world, photos=[photo()], photos_public=True)
    private = submit(world, building=world.other_building, photos=[photo()])
    response = client.get(
        reverse("service_requests:map_clusters"), {"bbox": "48.9,55.7,49.3,55.9", "zoom": "18"}
    )
    pins = {f["properties"]["url"]: f["properties"] for f in response.json()["features"]}
    with_photo = pins[reverse("service_requests:detail", args=[shown.pk])]
    assert with_photo["image"] == _thumb(shown)
    assert with_photo["image_alt"] == f"Photo of the request {shown.number}"
    assert "image" not in pins[reverse("service_requests:detail", args=[private.pk])]
