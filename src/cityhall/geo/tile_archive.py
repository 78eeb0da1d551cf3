"""The map's base layer as one PMTiles file served by the platform (ADR 0029, docs/maps.md).

``CITYHALL_MAP_TILES`` may name a PMTiles archive instead of an XYZ URL template: a file on
this machine (``/srv/tiles/city.pmtiles``), served here at ``geo:tile_archive`` — or a URL
(``https://city.example/tiles/city.pmtiles``) where nginx or another server answers the same
range requests. The browser reads the archive with the ``pmtiles`` library
(``geo/static/geo/vendor/pmtiles``, pinned in ``assets/map``), one HTTP range request for the
header and directories and one per tile, and draws raster tiles (PNG, JPEG, WebP) through
``geo/map-pmtiles.js``. Vector archives need a vector renderer and are not drawn: the map then
falls back to the city's own vector layers like any unreachable tile source.

The view answers what the library asks: ``Range: bytes=a-b`` (and ``a-``, ``-n``) with
``206 Partial Content`` and ``Content-Range``, an unsatisfiable range with ``416``, no or a
malformed range with the whole file (``200``), ``If-Range`` against the file's ``ETag``, HEAD;
the body is streamed in blocks, never read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_safe

__all__ = ["is_archive", "local_archive", "serve_tile_archive"]

BLOCK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def is_archive(source: str) -> bool:
    """Whether a tile source names a PMTiles archive (rather than an XYZ URL template)."""
    return source.split("?", 1)[0].lower().endswith(".pmtiles")


def local_archive() -> Path | None:
    """The archive file this platform serves, None when the tiles are not a local PMTiles."""
    source = getattr(settings, "MAP_TILES", "")
    if not source or not is_archive(source) or source.startswith(("https://", "http://")):
        return None
    return Path(source)


def _byte_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte of one satisfiable range; None for no usable Range header (the whole
    file is sent); False for a well-formed range the file cannot satisfy (416)."""
    match = _RANGE.match(header.strip())
    if not match:
        return None  # absent, several ranges or another unit: the whole file (RFC 9110 14.2)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            return False
        return max(size - n, 0), size - 1
    start = int(first)
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end


def _blocks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as file:
        file.seek(start)
        while length > 0:
            block = file.read(min(BLOCK, length))
            if not block:
                return
            length -= len(block)
            yield block


@require_safe
def serve_tile_archive(request: HttpRequest) -> HttpResponse:
    """The configured PMTiles archive, whole or by byte range (the module docstring)."""
    path = local_archive()
    if path is None:
        raise Http404()
    try:
        stat = path.stat()
    except OSError:
        raise Http404() from None
    size = stat.st_size
    etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
    wanted = _byte_range(request.headers.get("Range", ""), size)
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != etag:
        wanted = None  # the file changed since the reader's first part: send it whole
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        start, end = wanted if wanted else (0, size - 1)
        length = max(end - start + 1, 0)
        body = () if request.method == "HEAD" else _blocks(path, start, length)
        response = StreamingHttpResponse(body, status=206 if wanted else 200)
        response["Content-Length"] = str(length)
        if wanted:
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Type"] = "application/vnd.pmtiles"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = "public, max-age=3600"
    return response
