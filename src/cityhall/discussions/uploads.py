"""Checking uploaded files before anything is stored: real type by content, size, name.

A file is accepted only if its bytes are what its name says (a PDF that starts ``%PDF``, a PNG
or JPEG image by signature, GeoJSON that parses as a GeoJSON object); anything else — an
executable renamed ``.pdf``, an image renamed ``.geojson`` — is refused with the reason.
Images are decoded under a pixel limit and re-encoded by ``core.images`` (issue 20 item 18):
what is stored, and downloaded by the public, is the picture without its EXIF (author, GPS).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from cityhall.core import files, images
from cityhall.core.errors import InvalidInput

__all__ = [
    "CheckedFile",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENTS",
    "MAX_DOCUMENT_BYTES",
    "check_upload",
    "discard_attachments",
    "store_attachment",
]

MAX_DOCUMENT_BYTES = int(os.environ.get("CITYHALL_DISCUSSION_MAX_DOCUMENT_MB", "50")) * 2**20
MAX_ATTACHMENT_BYTES = int(os.environ.get("CITYHALL_DISCUSSION_MAX_ATTACHMENT_MB", "10")) * 2**20
#: Files one proposal may carry (the page sends one; the API's multipart form up to this).
MAX_ATTACHMENTS = 5

_BY_EXTENSION = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".geojson": "application/geo+json",
    ".json": "application/geo+json",
}
_GEOJSON_TYPES = {
    "Feature",
    "FeatureCollection",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


@dataclass(frozen=True)
class CheckedFile:
    upload: Any
    name: str
    content_type: str
    size: int
    sha256: str


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]})


def _read_all(upload: Any) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def check_upload(upload: Any, *, field: str, max_bytes: int) -> CheckedFile:
    """The checked file, or :class:`InvalidInput` on ``field`` before a byte is stored."""
    name = files.label(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is None:
        size = len(_read_all(upload))
    if size > max_bytes:
        raise _refuse(
            field,
            _("The file %(name)s is larger than %(limit)s MB.")
            % {"name": name, "limit": max_bytes // 2**20},
        )
    if size == 0:
        raise _refuse(field, _("The file %(name)s is empty.") % {"name": name})
    extension = os.path.splitext(name)[1].lower()
    claimed = _BY_EXTENSION.get(extension)
    if claimed is None:
        raise _refuse(
            field,
            _("Only PDF, PNG, JPEG and GeoJSON files are accepted (%(name)s).") % {"name": name},
        )
    data = _read_all(upload)
    guess = filetype.guess(data[:8192])
    actual = guess.mime if guess else None
    if claimed == "application/geo+json":
        if actual is not None:
            raise _refuse(field, _("%(name)s is not a GeoJSON file.") % {"name": name})
        try:
            parsed = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _refuse(field, _("%(name)s is not a GeoJSON file.") % {"name": name}) from None
        if not isinstance(parsed, dict) or parsed.get("type") not in _GEOJSON_TYPES:
            raise _refuse(field, _("%(name)s is not a GeoJSON file.") % {"name": name})
    elif actual != claimed:
        raise _refuse(
            field,
            _("The contents of %(name)s do not match its type; the file was not accepted.")
            % {"name": name},
        )
    elif images.is_image_type(claimed):
        clean = images.sanitise_image(data, name=name, field=field, allowed=(claimed,))
        data = clean.content
        upload = ContentFile(data, name=name)
        size = len(data)
    return CheckedFile(
        upload=upload,
        name=name,
        content_type=claimed,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def store_attachment(discussion_id: int, checked: CheckedFile) -> dict[str, Any]:
    """Store a checked proposal attachment where its row will point, before the proposal is
    registered (the registration payload is JSON and may be handled in another process)."""
    from .models import Proposal, ProposalAttachment

    file_field = ProposalAttachment._meta.get_field("file")
    place = ProposalAttachment(proposal=Proposal(discussion_id=discussion_id))
    name = file_field.storage.save(
        file_field.generate_filename(place, checked.name), checked.upload
    )
    return {
        "name": name,
        "original_name": checked.name,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": checked.sha256,
    }


def discard_attachments(stored: list[dict[str, Any]]) -> None:
    """Remove files stored for a submission that was refused."""
    from .models import ProposalAttachment

    storage = ProposalAttachment._meta.get_field("file").storage
    for item in stored:
        storage.delete(item["name"])
