"""Handing a stored file's bytes over, after the caller has checked the viewer may see it.

Three ways, chosen by the configuration, never by the caller (ADR 0021):

- **S3-compatible storage**: a redirect to a pre-signed URL that lives ``FILES_URL_EXPIRY``
  seconds; the object store sends the bytes from its own origin, with the content type,
  disposition and cache policy signed into the URL.
- **nginx in front** (``FILES_ACCEL_PREFIX``, e.g. ``/_protected/``): an empty answer with
  ``X-Accel-Redirect`` to an ``internal`` location aliasing the media folder, so nginx sends
  the file and no Python process holds it (``deploy/nginx/cityhall.conf``).
- **the embedded fallback**: streamed by Django (``FileResponse``), range requests included.

Every answer carries the file's real content type, ``Content-Disposition`` (``attachment`` for
anything that is not an image or a PDF, with the label as file name, RFC 6266), ``X-Content-
Type-Options: nosniff`` and a sandboxing CSP, so a stored HTML or SVG file is never a page on
the site's origin; public files may be cached for a year (their names never change), private
ones are never stored by a cache.

A file that is recorded but gone from the storage raises :class:`FileMissing`, which the
caller turns into a "file missing" page; a storage that does not answer raises
:class:`StorageUnavailable` (503, try again later).
"""

from __future__ import annotations

import contextlib
import posixpath
import unicodedata
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect

from .files import extension
from .files import label as clean_label
from .object_store import StorageUnavailable, is_missing, is_outage, is_s3

__all__ = [
    "FileMissing",
    "PRIVATE_CACHE",
    "PUBLIC_CACHE",
    "SANDBOX_CSP",
    "StorageUnavailable",
    "content_disposition",
    "is_inline",
    "is_s3",
    "send_file",
    "send_stored",
]

#: The policy every served file carries: it may load nothing and runs as a unique origin.
SANDBOX_CSP = "default-src 'none'; sandbox"
#: Public files are stored under names that never change: a year, shared caches allowed.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
#: Private files: nobody's cache keeps them.
PRIVATE_CACHE = "private, no-store"


class FileMissing(LookupError):
    """The file is recorded but its bytes are not in the storage."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"stored file {name!r} is missing from the storage")


def is_inline(content_type: str) -> bool:
    """Images and PDFs may be shown by the browser; anything else is a download."""
    content_type = (content_type or "").split(";")[0].strip().lower()
    return content_type == "application/pdf" or (
        content_type.startswith("image/") and content_type != "image/svg+xml"
    )


def content_disposition(filename: str, *, attachment: bool) -> str:
    """RFC 6266: a plain ASCII ``filename`` for old clients and ``filename*`` in UTF-8."""
    name = clean_label(filename)
    disposition = "attachment" if attachment else "inline"
    ascii_name = (
        unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").strip()
    )
    ascii_name = "".join(c if 0x20 <= ord(c) < 0x7F and c not in '"\\' else "_" for c in ascii_name)
    if not ascii_name.rsplit(".", 1)[0].strip("._- "):
        ascii_name = "file" + extension(name)
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _headers(response: HttpResponse, *, content_type: str, disposition: str, public: bool) -> None:
    response["Content-Type"] = content_type
    response["Content-Disposition"] = disposition
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = PUBLIC_CACHE if public else PRIVATE_CACHE
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if not public:
        response["Vary"] = "Cookie"


def _presigned(storage: Any, name: str, *, content_type: str, disposition: str, public: bool):
    expiry = int(getattr(settings, "FILES_URL_EXPIRY", 300))
    try:
        if not storage.exists(name):
            raise FileMissing(name)
        url = storage.url(
            name,
            parameters={
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
                "ResponseCacheControl": PUBLIC_CACHE if public else PRIVATE_CACHE,
            },
            expire=expiry,
        )
    except FileMissing:
        raise
    except Exception as error:
        if is_missing(error):
            raise FileMissing(name) from error
        if is_outage(error):
            raise StorageUnavailable() from error
        raise
    response = HttpResponseRedirect(url)
    # The redirect itself must not outlive the signature.
    response["Cache-Control"] = (
        f"public, max-age={max(expiry // 2, 1)}" if public else PRIVATE_CACHE
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Referrer-Policy"] = "no-referrer"
    return response


def _accel(storage: Storage, name: str, prefix: str) -> HttpResponse:
    if not storage.exists(name):
        raise FileMissing(name)
    response = HttpResponse()
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name.lstrip("/"))
    # nginx sends the file with these headers; the buffering of a large file is nginx's own.
    response["X-Accel-Buffering"] = "yes"
    return response


def _stream(storage: Storage, name: str) -> FileResponse:
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as error:
        raise FileMissing(name) from error
    except Exception as error:
        if is_missing(error):
            raise FileMissing(name) from error
        if is_outage(error):
            raise StorageUnavailable() from error
        raise
    response = FileResponse(handle)
    with contextlib.suppress(Exception):  # streamed without a length then
        response["Content-Length"] = str(storage.size(name))
    return response


def send_file(
    request: HttpRequest,
    stored: Any = None,
    *,
    name: str = "",
    content_type: str = "",
    filename: str = "",
    public: bool,
    storage: Storage | None = None,
    download: bool = False,
) -> HttpResponse:
    """The answer that hands over the stored file ``name`` (a storage name) of ``content_type``
    as ``filename``; the caller has already decided the viewer may see it. ``public`` files may
    be cached by anyone for a year; ``download`` forces ``attachment`` even for an image or PDF.
    ``stored``, a record with ``file``, ``content_type`` and ``label`` (the platform's
    ``StoredFile``), stands for the first four.

    Raises :class:`FileMissing` when the bytes are gone, :class:`StorageUnavailable` when the
    object store does not answer."""
    if stored is not None:
        name = name or stored.file.name
        content_type = content_type or stored.content_type
        filename = filename or stored.label
        storage = storage if storage is not None else stored.file.storage
    storage = storage if storage is not None else default_storage
    content_type = content_type or "application/octet-stream"
    disposition = content_disposition(
        filename or posixpath.basename(name), attachment=download or not is_inline(content_type)
    )
    if is_s3(storage):
        return _presigned(
            storage, name, content_type=content_type, disposition=disposition, public=public
        )
    prefix = getattr(settings, "FILES_ACCEL_PREFIX", "")
    if prefix:
        response: HttpResponse = _accel(storage, name, prefix)
    else:
        response = _stream(storage, name)
    _headers(response, content_type=content_type, disposition=disposition, public=public)
    return response


def send_stored(
    request: HttpRequest, stored: Any, *, public: bool, download: bool = False
) -> HttpResponse:
    """:func:`send_file` for a record with ``file`` (a ``FieldFile``), ``content_type`` and
    ``label`` — the platform's ``StoredFile``."""
    return send_file(request, stored, public=public, download=download)
