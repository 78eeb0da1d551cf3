"""Small copies of stored photos for the places that list many (request lists, map pop-ups,
the staff board): made once per photo, in the background after the photo's transaction
commits, and served by ``/files/<id>/thumbnail/`` under the photo's own access rule.

A thumbnail is kept beside the photo under a name derived from the record
(``thumbnails/<id>.jpg``), so no column and no lookup are needed to find it; until the job has
run (or if it failed) the address answers with the photo itself, uncached, so a page never
shows a hole. Lists and map pop-ups, which show many photos at once, ask for
``?placeholder=1``: until the thumbnail exists they get a small neutral picture instead of the
full photo (and the same when the photo itself is gone), never a broken image or an error.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse

from . import jobs
from .file_serving import PRIVATE_CACHE, SANDBOX_CSP, FileMissing, send_file

__all__ = [
    "PLACEHOLDER",
    "THUMBNAIL_PIXELS",
    "make_thumbnail",
    "schedule",
    "send_placeholder",
    "send_thumbnail",
    "thumbnail_name",
]

log = logging.getLogger(__name__)

#: The longest side of a thumbnail, in pixels (a list's card, a map pop-up at 2x density).
THUMBNAIL_PIXELS = 480
JOB = "core.make_thumbnail"

#: A neutral picture (a grey frame with a simple camera) the size of a list's thumbnail.
PLACEHOLDER = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="120" viewBox="0 0 160 120">'
    b'<rect width="160" height="120" fill="#e8eaed"/>'
    b'<g fill="none" stroke="#9aa0a6" stroke-width="4"><rect x="50" y="42" width="60" height="44"'
    b' rx="6"/><circle cx="80" cy="64" r="12"/><path d="M66 42l5-8h18l5 8"/></g></svg>'
)


def thumbnail_name(stored: Any) -> str:
    return f"thumbnails/{stored.pk}.jpg"


def schedule(stored: Any) -> None:
    """Start making the thumbnail of an image once the current transaction commits."""
    if stored.content_type.startswith("image/"):
        jobs.enqueue_on_commit(JOB, str(stored.pk))


def make_thumbnail(*, stored_file_id: str) -> bool:
    """Write the thumbnail of one stored image unless it exists already (True: written)."""
    from PIL import Image

    from .models import StoredFile

    stored = StoredFile.objects.filter(pk=stored_file_id).first()
    if stored is None or not stored.content_type.startswith("image/"):
        return False
    storage, name = stored.file.storage, thumbnail_name(stored)
    if storage.exists(name):
        return False
    with storage.open(stored.file.name, "rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))  # JPEG: decode at a scale
        image.thumbnail((THUMBNAIL_PIXELS, THUMBNAIL_PIXELS))
        if image.mode != "RGB":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").split()[-1])
            image = flat
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80, optimize=True, progressive=True)
    storage.save(name, ContentFile(out.getvalue()))
    return True


def send_placeholder() -> HttpResponse:
    """The neutral picture shown while a thumbnail is not made (never cached)."""
    response = HttpResponse(PLACEHOLDER, content_type="image/svg+xml")
    response["Cache-Control"] = PRIVATE_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    return response


def send_thumbnail(
    request: HttpRequest, stored: Any, *, public: bool, placeholder: bool = False
) -> HttpResponse:
    """The thumbnail (or, until it exists, the photo itself, not cached; the neutral picture
    when ``placeholder``)."""
    try:
        return send_file(
            request,
            name=thumbnail_name(stored),
            content_type="image/jpeg",
            filename=stored.label,
            public=public,
            storage=stored.file.storage,
        )
    except FileMissing:
        if placeholder:
            return send_placeholder()
        log.info("thumbnail of %s not made yet: the photo is sent", stored.pk)
        return send_file(request, stored, public=False)
