"""Small copies of stored photos for the places that list many (request lists, map pop-ups,
the staff board): made once per photo, in the background after the photo's transaction
commits, and served by ``/files/<id>/thumbnail/`` under the photo's own access rule.

A thumbnail is kept beside the photo under a name derived from the record
(``thumbnails/<id>.jpg``), so no column and no lookup are needed to find it; until the job has
run (or if it failed) the address answers with the photo itself, uncached, so a page never
shows a hole.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.http import HttpRequest, HttpResponse

from . import jobs
from .file_serving import FileMissing, send_file

__all__ = ["THUMBNAIL_PIXELS", "make_thumbnail", "schedule", "send_thumbnail", "thumbnail_name"]

log = logging.getLogger(__name__)

#: The longest side of a thumbnail, in pixels (a list's card, a map pop-up at 2x density).
THUMBNAIL_PIXELS = 480
JOB = "core.make_thumbnail"


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


def send_thumbnail(request: HttpRequest, stored: Any, *, public: bool) -> HttpResponse:
    """The thumbnail (or, until it exists, the photo itself, not cached)."""
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
        log.info("thumbnail of %s not made yet: the photo is sent", stored.pk)
        return send_file(request, stored, public=False)
