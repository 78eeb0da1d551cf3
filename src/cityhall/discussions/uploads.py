"""Files participants and organisers send, through the platform's file service (``core.uploads``).

Every upload is checked before a byte is stored — type detected from the content (PDF, an image,
GeoJSON), the size limit, PDFs walked for active content, images decoded under the pixel limit
and re-encoded without their EXIF — and refused with the reason in the reader's language; what
passes is stored under a random name and recorded as a ``StoredFile`` of this app's purposes
(``file_access``), served only at ``/files/<id>/``. Nothing here knows a storage path.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from cityhall.core import uploads
from cityhall.core.models import StoredFile
from cityhall.core.uploads import AcceptedTypes, CheckedFile

from .file_access import ATTACHMENT, DOCUMENT

__all__ = [
    "AcceptedTypes",
    "CheckedFile",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENTS",
    "MAX_DOCUMENT_BYTES",
    "attachment_types",
    "check_attachment",
    "check_document",
    "document_types",
    "discard_attachments",
    "store_attachment",
]

MAX_DOCUMENT_BYTES = int(os.environ.get("CITYHALL_DISCUSSION_MAX_DOCUMENT_MB", "50")) * 2**20
MAX_ATTACHMENT_BYTES = int(os.environ.get("CITYHALL_DISCUSSION_MAX_ATTACHMENT_MB", "10")) * 2**20
#: Files one proposal may carry (the page sends one; the API's multipart form up to this).
MAX_ATTACHMENTS = 5


def attachment_types() -> AcceptedTypes:
    """What a proposal's attachment may be, as the file service checks it: the proposal form
    names these types and offers them to the file chooser."""
    return uploads.accepted_types(ATTACHMENT)


def document_types() -> AcceptedTypes:
    """What a discussion's document version may be, as the file service checks it."""
    return uploads.accepted_types(DOCUMENT)


def check_attachment(upload: Any, *, field: str = "attachments") -> CheckedFile:
    """A proposal's attachment checked, or ``InvalidInput`` on ``field`` naming why."""
    return uploads.check(upload, purpose=ATTACHMENT, field=field)


def check_document(upload: Any, *, field: str = "file") -> CheckedFile:
    """A document version checked, or ``InvalidInput`` on ``field`` naming why."""
    return uploads.check(upload, purpose=DOCUMENT, field=field)


def store_attachment(checked: CheckedFile, *, owner: Any) -> dict[str, Any]:
    """Store a checked attachment before the proposal is registered (the registration payload
    is JSON and may be handled in another process): the record's id and what lists show. It is
    public from the start — a new proposal is — and its owner's alone until registration links
    it (``file_access``)."""
    stored = uploads.store(checked, owner=owner, visibility=StoredFile.Visibility.PUBLIC)
    return {
        "file": str(stored.pk),
        "original_name": stored.label,
        "content_type": stored.content_type,
        "size": stored.size,
        "sha256": stored.sha256,
    }


def discard_attachments(stored: Sequence[dict[str, Any]]) -> None:
    """Remove files stored for a submission that was refused."""
    ids = [item["file"] for item in stored if item.get("file")]
    if ids:
        uploads.discard(StoredFile.objects.filter(pk__in=ids))
