"""Photos attached to requests: what an upload must be (at most ``MAX_PHOTOS`` images, each
under ``MAX_PHOTO_BYTES``) and how a checked photo is kept — all through the platform's file
service (``core.uploads``): the type from the bytes, the pixel limit before decoding, the photo
re-encoded without its EXIF, stored under a random name and recorded as a ``StoredFile`` of the
purpose :data:`PURPOSE`, whose rule (:func:`can_view`) decides who sees it.

Every channel refuses bad uploads with :func:`check_photos` before anything is written; intake
stores photos at receipt (:func:`store_photos`), the workflow and comments at once
(:func:`save_photos`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import uploads
from cityhall.core.errors import InvalidInput
from cityhall.core.models import StoredFile

from ..models import (
    Comment,
    Photo,
    ServiceRequest,
)

__all__ = [
    "MAX_PHOTO_BYTES",
    "MAX_PHOTOS",
    "PURPOSE",
    "check_photos",
    "discard_photos",
    "photo_location",
    "save_photos",
    "store_photos",
]


MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS = 5
PURPOSE = "service_requests.photo"


def check_photos(
    photos: Sequence[UploadedFile], field: str = "photos"
) -> tuple[list[uploads.CheckedFile], dict[str, list[str]]]:
    """The checked photos and the field errors of those refused (too many, too large, not an
    image, active content, too many pixels), each naming the file and the reason."""
    errors: list[str] = []
    checked: list[uploads.CheckedFile] = []
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
            checked.append(uploads.check(upload, purpose=PURPOSE, field=field))
        except InvalidInput as refused:
            errors.extend(str(m) for m in refused.fields.get(field, [refused.message]))
    return checked, ({field: errors} if errors else {})


def photo_location(checked: Sequence[uploads.CheckedFile]) -> tuple[float, float] | None:
    """Where the first photo that says so was taken (its EXIF GPS, read before it was
    removed): the point a resident may keep as the request's."""
    return next((c.location for c in checked if c.location is not None), None)


def save_photos(
    request: ServiceRequest,
    checked: Sequence[uploads.CheckedFile],
    *,
    kind: str,
    by: User | None,
    comment: Comment | None = None,
) -> None:
    """Attach photos checked by :func:`check_photos` to a request (and a comment) at once."""
    for item in checked:
        stored = uploads.store(item, owner=by)
        Photo.objects.create(
            request=request,
            comment=comment,
            kind=kind,
            uploaded_by=by,
            stored=stored,
            width=stored.width or 0,
            height=stored.height or 0,
        )


def store_photos(checked: Sequence[uploads.CheckedFile], *, owner: Any = None) -> list[dict]:
    """Store checked photos now (the payload carries their records' ids); registration links
    them to the request."""
    stored = [uploads.store(item, owner=owner) for item in checked]
    return [{"file": str(s.pk), "width": s.width or 0, "height": s.height or 0} for s in stored]


def discard_photos(file_ids: list[str]) -> None:
    """Remove photos stored at receipt (:func:`store_photos`) that no request will use."""
    uploads.discard(StoredFile.objects.filter(pk__in=file_ids))
