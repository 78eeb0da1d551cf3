"""Fetching a file a client named by its address (Open311 ``media_url``), without letting the
address reach inside the city hall's network.

The fetch runs in a background job, never in the request, and is bounded: only ``http`` and
``https``; every host (the first and each redirect's) must resolve to public addresses only —
no loopback, private, link-local or reserved ones (a cloud's metadata service, the database,
the admin behind the firewall) unless ``FILES_FETCH_ALLOW_PRIVATE`` is on (tests); the address
actually connected to is checked again; at most ``FILES_FETCH_MAX_REDIRECTS`` redirects,
``FILES_FETCH_TIMEOUT`` seconds in all and ``max_bytes`` bytes (the purpose's limit), counted
as they arrive. What comes back is an upload like any other: the caller passes it to
``core.uploads.accept``.
"""

from __future__ import annotations

import ipaddress
import posixpath
import socket
import time
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import unquote, urljoin, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput

__all__ = ["RemoteFile", "RemoteFileRefused", "check_address", "fetch"]


class RemoteFileRefused(InvalidInput):
    code = "media_url_refused"
    default_message = _("The file at this address could not be fetched.")


@dataclass
class RemoteFile:
    """What was fetched: an upload-like object (``name``, ``size``, ``read``, ``seek``)."""

    name: str
    content: bytes

    def __post_init__(self) -> None:
        self._buffer = BytesIO(self.content)

    @property
    def size(self) -> int:
        return len(self.content)

    def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def tell(self) -> int:
        return self._buffer.tell()


def _allow_private() -> bool:
    return bool(getattr(settings, "FILES_FETCH_ALLOW_PRIVATE", False))


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_address(url: str) -> None:
    """Refuse an address that is not ``http(s)://`` a public host (checked at the door and
    again before each fetch and redirect)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise RemoteFileRefused(_("Only http and https addresses can be fetched."))
    if parts.username or parts.password:
        raise RemoteFileRefused(_("Only http and https addresses can be fetched."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, port)}
    except (OSError, ValueError) as error:
        raise RemoteFileRefused(_("The file's host could not be found.")) from error
    if not _allow_private() and not all(_public(address) for address in addresses):
        raise RemoteFileRefused(_("Files are not fetched from private or local addresses."))


def _peer_is_allowed(response: requests.Response) -> bool:
    """The address the connection actually went to (a name can resolve differently twice)."""
    if _allow_private():
        return True
    try:
        peer = response.raw._connection.sock.getpeername()[0]
    except (AttributeError, OSError, TypeError):
        return True  # already closed (a body read whole): the host was checked before
    return _public(peer)


def _name(url: str, response: requests.Response) -> str:
    name = posixpath.basename(unquote(urlsplit(url).path))
    return name or "media"


def fetch(url: str, *, max_bytes: int) -> RemoteFile:
    """The file at ``url``, or :class:`RemoteFileRefused` naming why not."""
    timeout = float(getattr(settings, "FILES_FETCH_TIMEOUT", 10))
    redirects = int(getattr(settings, "FILES_FETCH_MAX_REDIRECTS", 3))
    deadline = time.monotonic() + timeout
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the checked host is the peer
    try:
        for _hop in range(redirects + 1):
            check_address(url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RemoteFileRefused(_("The file took too long to fetch."))
            try:
                response = session.get(
                    url,
                    stream=True,
                    allow_redirects=False,
                    timeout=(min(remaining, 5), remaining),
                    headers={"Accept": "image/*, application/pdf;q=0.9, */*;q=0.1"},
                )
            except requests.Timeout as error:
                raise RemoteFileRefused(_("The file took too long to fetch.")) from error
            except requests.RequestException as error:
                raise RemoteFileRefused() from error
            with response:
                if not _peer_is_allowed(response):
                    raise RemoteFileRefused(
                        _("Files are not fetched from private or local addresses.")
                    )
                if response.is_redirect:
                    url = urljoin(url, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise RemoteFileRefused()
                return RemoteFile(_name(url, response), _read(response, max_bytes, deadline))
        raise RemoteFileRefused(_("The address redirects too many times."))
    finally:
        session.close()


def _read(response: requests.Response, max_bytes: int, deadline: float) -> bytes:
    too_large = RemoteFileRefused(
        _("The file is larger than %(mb)s MB.") % {"mb": round(max_bytes / 2**20, 1)}
    )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise too_large
            if time.monotonic() > deadline:
                raise RemoteFileRefused(_("The file took too long to fetch."))
            chunks.append(chunk)
    except requests.RequestException as error:
        raise RemoteFileRefused(_("The file took too long to fetch.")) from error
    return b"".join(chunks)
