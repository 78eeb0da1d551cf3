"""Photos attached to requests: what an upload must be (at most ``MAX_PHOTOS`` images, each
under ``MAX_PHOTO_BYTES``) and how a checked photo is kept — all through the platform's file
service (``core.uploads``): the type from the bytes, the pixel limit before decoding, the photo
re-encoded without its EXIF, stored under a random name and recorded as a ``StoredFile`` of the
purpose :data:`PURPOSE`, whose rule (:func:`can_view`) decides who sees it.

Every channel refuses bad uploads with :func:`check_photos` before anything is written; intake
stores photos at receipt (:func:`store_photos`), the workflow and comments at once
(:func:`save_photos`).

A photo is private by default (:attr:`StoredFile.Visibility.CASE`: its author and the people
handling the request); the resident may make the photos they send public (the web form's
"show my photos to everyone"), and so are an Open311 client's (GeoReport v2 publishes
``media_url``) unless it sends ``media_private``. Staff change it later
(:mod:`.photo_visibility`).

Inbox items acknowledged before the file service carried their photos as stored names
(``{"name": "requests/2026/12/x.jpg", ...}``) instead of records (``{"file": "<id>", ...}``):
:func:`payload_photos` checks such a photo now like any upload and records it.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
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
    "attach_payload_photos",
    "discard_photos",
    "payload_photos",
    "photo_location",
    "save_photos",
    "store_photos",
]


log = logging.getLogger(__name__)

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
    public: bool = False,
) -> None:
    """Attach photos checked by :func:`check_photos` to a request (and a comment) at once."""
    for item in checked:
        stored = uploads.store(item, owner=by, visibility=_visibility(public))
        Photo.objects.create(
            request=request,
            comment=comment,
            kind=kind,
            uploaded_by=by,
            stored=stored,
            width=stored.width or 0,
            height=stored.height or 0,
        )


def _visibility(public: bool) -> str:
    return StoredFile.Visibility.PUBLIC if public else StoredFile.Visibility.CASE


def store_photos(
    checked: Sequence[uploads.CheckedFile], *, owner: Any = None, public: bool = False
) -> list[dict]:
    """Store checked photos now (the payload carries their records' ids); registration links
    them to the request."""
    visibility = _visibility(public)
    stored = [uploads.store(item, owner=owner, visibility=visibility) for item in checked]
    return [{"file": str(s.pk), "width": s.width or 0, "height": s.height or 0} for s in stored]


def payload_photos(entries: Sequence[dict], *, owner: Any = None) -> tuple[list[dict], list[str]]:
    """The photos of an inbox payload as records (``{"file", "width", "height"}``) and the
    reasons of those dropped.

    A photo in the format before the file service (``{"name": <stored name>, ...}``: stored at
    receipt under the client's name, verified by Pillow only) is read back from storage,
    checked now like any upload (type from the bytes, pixels, re-encoded without EXIF) and
    recorded as a private photo; the old file is removed once the registration commits. One
    that is gone or fails the check is dropped (the request is still registered) and its
    reason returned for the audit record."""
    records: list[dict] = []
    dropped: list[str] = []
    for entry in entries or ():
        if "file" in entry:
            records.append(entry)
            continue
        name = str(entry.get("name") or "")
        label = posixpath.basename(name)
        try:
            with default_storage.open(name, "rb") as handle:
                data = handle.read(MAX_PHOTO_BYTES + 1)
            checked = uploads.check(ContentFile(data, name=label), purpose=PURPOSE, field="photos")
        except (OSError, ValueError) as missing:
            log.warning("photo %s of a pending request is gone: %s", name, missing)
            dropped.append(_("%(name)s is missing from the storage.") % {"name": label})
            continue
        except InvalidInput as refused:
            dropped.extend(str(m) for m in refused.fields.get("photos", [refused.message]))
            transaction.on_commit(partial(default_storage.delete, name))
            continue
        records.extend(store_photos([checked], owner=owner))
        transaction.on_commit(partial(default_storage.delete, name))
    return records, dropped


def attach_payload_photos(
    requests: Sequence[tuple[int, Sequence[dict] | None, User | None, Any]],
) -> dict[int, list[str]]:
    """Link the photos of registered requests' payloads (``(request id, payload photos,
    uploaded by, received at)``) with one insert; {request id: reasons} of those dropped
    (:func:`payload_photos`)."""
    photos: list[Photo] = []
    dropped: dict[int, list[str]] = {}
    for request_id, entries, by, received_at in requests:
        records, reasons = payload_photos(entries or (), owner=by)
        if reasons:
            dropped[request_id] = reasons
        photos += [
            Photo(
                request_id=request_id,
                kind=Photo.Kind.INTAKE,
                uploaded_by=by,
                stored_id=record["file"],
                width=record["width"],
                height=record["height"],
                created_at=received_at,
            )
            for record in records
        ]
    if photos:
        Photo.objects.bulk_create(photos)
    return dropped


def discard_photos(entries: Sequence[dict]) -> None:
    """Remove photos stored at receipt (:func:`store_photos`; the payload's entries, either
    format) that no request will use."""
    uploads.discard(StoredFile.objects.filter(pk__in=[e["file"] for e in entries if "file" in e]))
    for entry in entries:
        if "file" not in entry and entry.get("name"):
            default_storage.delete(entry["name"])
