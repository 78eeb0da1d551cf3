"""Sending a stored file with HTTP range requests, so an interrupted download resumes.

One range per request (``bytes=a-b``, ``bytes=a-`` or ``bytes=-n``), ``If-Range`` and
``If-None-Match`` against the file's SHA-256 (its ETag); several ranges are answered with the
whole file, as RFC 9110 allows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

__all__ = ["send_file"]

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_BLOCK = 1 << 16


def _blocks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            block = handle.read(min(_BLOCK, length))
            if not block:
                return
            length -= len(block)
            yield block


def _wanted(header: str, size: int) -> tuple[int, int] | None | bool:
    """(start, end) inclusive; None for "send it all"; False when unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        count = int(last)
        if count == 0:
            return False
        return max(0, size - count), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return False
    return start, end


def send_file(
    request: HttpRequest,
    path: Path,
    *,
    content_type: str,
    filename: str,
    etag: str,
    immutable: bool,
    encoding: str = "",
) -> HttpResponse:
    size = path.stat().st_size
    tag = f'"{etag}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": tag,
        "Cache-Control": "public, max-age=31536000, immutable"
        if immutable
        else "public, max-age=300",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
    }
    if encoding:
        headers["Content-Encoding"] = encoding
    if request.headers.get("If-None-Match") == tag:
        return HttpResponse(status=304, headers=headers)
    wanted = None
    if "Range" in request.headers and request.headers.get("If-Range", tag) == tag:
        wanted = _wanted(request.headers["Range"], size)
    if wanted is False:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = wanted if wanted else (0, size - 1)
    length = end - start + 1 if size else 0
    response = StreamingHttpResponse(
        _blocks(path, start, length), content_type=content_type, status=206 if wanted else 200
    )
    for name, value in headers.items():
        response[name] = value
    response["Content-Length"] = str(length)
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response
