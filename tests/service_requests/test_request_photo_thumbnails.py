"""The request page lists its photos as thumbnails (made after commit) linking to the photo."""

from __future__ import annotations

import io

from django.urls import reverse
from PIL import Image

from .factories import photo, submit


def test_request_page_lists_photos_as_thumbnails_linking_to_the_full_photo(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(world, photos=[photo(size=(1200, 900))])
    stored_id = request.photos.get().stored_id
    client.force_login(world.resident)
    page = client.get(reverse("service_requests:detail", args=[request.pk])).content.decode()
    assert f'<a href="/files/{stored_id}/"><img src="/files/{stored_id}/thumbnail/"' in page

    thumbnail = client.get(f"/files/{stored_id}/thumbnail/")
    assert thumbnail["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as image:
        assert image.size == (480, 360)
    client.logout()
    assert client.get(f"/files/{stored_id}/thumbnail/").status_code == 302  # sign in first
