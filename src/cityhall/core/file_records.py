"""Records for files stored before the file service existed (data migrations only).

An app moving a ``FileField`` onto :class:`~cityhall.core.models.StoredFile` keeps every stored
file where it is: :func:`record_existing` writes the record for the name already in storage (its
size and SHA-256 read from the bytes when they are there), so links keep working and a file
already missing is shown as missing, never a server error.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
from typing import Any

from django.core.files.storage import default_storage

from .files import label as clean_label

__all__ = ["record_existing"]


def record_existing(
    model: Any,
    name: str,
    *,
    purpose: str,
    owner_id: int | None = None,
    visibility: str = "case",
    label: str = "",
    content_type: str = "",
    created_at: Any = None,
) -> Any:
    """A saved ``StoredFile`` row (``model``: the migration's historical model) for ``name``."""
    size, digest = 0, ""
    try:
        with default_storage.open(name, "rb") as handle:
            hasher = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
                size += len(block)
            digest = hasher.hexdigest()
    except (OSError, ValueError):
        pass
    guessed = mimetypes.guess_type(posixpath.basename(name))[0]
    row = model(
        purpose=purpose,
        owner_id=owner_id,
        visibility=visibility,
        label=clean_label(label or posixpath.basename(name)),
        content_type=content_type or guessed or "application/octet-stream",
        size=size,
        sha256=digest,
    )
    row.file.name = name
    if created_at is not None:
        row.created_at = created_at
    row.save(force_insert=True)
    return row
