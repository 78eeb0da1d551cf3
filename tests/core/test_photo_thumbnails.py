"""Photos get a small copy, made once in the background after commit, served under the photo's
own rule at /files/<id>/thumbnail/ (the photo itself until it exists)."""

from __future__ import annotations

import io

import pytest
import requests
from PIL import Image

from cityhall.core import uploads
from cityhall.core.file_purposes import Purpose, register_purpose
from cityhall.core.models import StoredFile
from cityhall.core.thumbnails import THUMBNAIL_PIXELS, make_thumbnail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _owner_or_public(user, stored_file) -> bool:
    if stored_file.visibility == StoredFile.Visibility.PUBLIC:
        return True
    return bool(user.is_authenticated and user.pk == stored_file.owner_id)


register_purpose(
    Purpose(
        code="tests.photo",
        kinds=("image",),
        max_bytes=5_000_000,
        folder="tests/%Y",
        can_view=_owner_or_public,
    )
)


def _photo(width=1600, height=1000) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (40, 120, 200)).save(out, "PNG")
    out.seek(0)
    out.name = "yard.png"
    return out


def _accept(**kwargs) -> StoredFile:
    return uploads.accept(_photo(), purpose="tests.photo", name="yard.png", **kwargs)


def test_thumbnail_is_made_once_after_commit_and_served_small(
    client, media_storage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        stored = _accept(visibility="public")
    assert callbacks, "the thumbnail job starts only after the commit"
    assert make_thumbnail(stored_file_id=str(stored.pk)) is False  # made once, not again

    response = client.get(f"/files/{stored.pk}/thumbnail/")
    if response.status_code == 302:  # S3: the browser follows the pre-signed address
        response = requests.get(response["Location"], timeout=5)
        body = response.content
    else:
        body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(body)) as thumbnail:
        assert max(thumbnail.size) == THUMBNAIL_PIXELS
        assert thumbnail.size == (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS * 1000 // 1600)


def test_until_the_thumbnail_exists_the_photo_is_sent_uncached(client):
    stored = _accept(visibility="public")  # the commit never happens: no thumbnail yet
    response = client.get(f"/files/{stored.pk}/thumbnail/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as image:
        assert image.size == (1600, 1000)


def test_a_private_photos_thumbnail_is_refused_to_others(
    client, django_capture_on_commit_callbacks
):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        stored = _accept(owner=owner, visibility="case")
    client.force_login(UserFactory())
    assert client.get(f"/files/{stored.pk}/thumbnail/").status_code == 404
    client.force_login(owner)
    response = client.get(f"/files/{stored.pk}/thumbnail/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
