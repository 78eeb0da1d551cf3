"""Photos attached to requests: what an upload must be (at most ``MAX_PHOTOS`` images, each
under ``MAX_PHOTO_BYTES``, in a format we show) and how a checked upload is kept.

Every channel refuses bad uploads with :func:`check_photos` before anything is written; intake
stores photos at receipt (:func:`store_photos`), the workflow and comments at once
(:func:`save_photos`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from cityhall.accounts.models import User

from ..models import (
    Comment,
    Photo,
    ServiceRequest,
)

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "PHOTO_FORMATS",
    "check_photos",
    "save_photos",
    "store_photos",
    "discard_photos",
]


MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def check_photos(photos: Sequence[UploadedFile], field: str = "photos") -> dict[str, list[str]]:
    """Field errors for uploads that are too many, too large or not images (Pillow-verified)."""
    from PIL import Image

    errors: list[str] = []
    if len(photos) > MAX_PHOTOS:
        errors.append(_("Attach at most %(n)d photos.") % {"n": MAX_PHOTOS})
    for upload in photos:
        name = getattr(upload, "name", "") or _("photo")
        if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
            errors.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": name, "mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            )
            continue
        try:
            upload.seek(0)
            with Image.open(upload) as image:
                kind = image.format
                image.verify()
            if kind not in PHOTO_FORMATS:
                raise ValueError(kind)
        except Exception:  # noqa: BLE001 - anything Pillow cannot read is not a photo
            errors.append(_("%(name)s is not a JPEG, PNG, WebP or GIF image.") % {"name": name})
        finally:
            upload.seek(0)
    return {field: errors} if errors else {}


def save_photos(
    request: ServiceRequest,
    photos: Sequence[UploadedFile],
    *,
    kind: str,
    by: User | None,
    comment: Comment | None = None,
) -> None:
    """Attach uploads checked by :func:`check_photos` to a request (and a comment) at once."""
    from PIL import Image

    for upload in photos:
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
        upload.seek(0)
        photo = Photo(
            request=request, comment=comment, kind=kind, uploaded_by=by, width=width, height=height
        )
        photo.image.save(upload.name or "photo", upload, save=False)
        photo.save()


def store_photos(photos: Sequence[UploadedFile]) -> list[dict[str, Any]]:
    """Save checked photos now (the payload carries their names); registration links them."""
    from PIL import Image

    field = Photo._meta.get_field("image")
    stored = []
    for upload in photos:
        upload.seek(0)
        with Image.open(upload) as image:
            width, height = image.size
        upload.seek(0)
        name = default_storage.save(field.generate_filename(None, upload.name or "photo"), upload)
        stored.append({"name": name, "width": width, "height": height})
    return stored


def discard_photos(names: list[str]) -> None:
    """Remove photos stored at receipt (:func:`store_photos`) that no request will use."""
    for name in names:
        default_storage.delete(name)
