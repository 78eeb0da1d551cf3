"""Stored files are named by the platform; the client's file name is only a label.

A name sent by a client can be of any length and hold any character, and storage paths have
limits (a ``FileField`` column, a file system's 255 bytes per name): a submission acknowledged
with such a name would fail later, at registration. So a stored file is
``<folder>/<32 random hex digits><.ext>`` — the extension kept only when it is short and plain —
and the client's name is kept, cleaned and cut to its column, as :func:`label`.
"""

from __future__ import annotations

import posixpath
import re
import secrets

from django.utils import timezone
from django.utils.deconstruct import deconstructible

from .text import clean_line

__all__ = ["LABEL_LENGTH", "RandomName", "label", "stored_name"]

#: The length of the columns that keep a client's file name (``original_name``).
LABEL_LENGTH = 255

_EXTENSION = re.compile(r"\.([a-z0-9]{1,8})$")


def extension(client_name: str) -> str:
    """The name's extension (".pdf"), lower case, if it is 1-8 plain letters or digits."""
    match = _EXTENSION.search(posixpath.basename((client_name or "").replace("\\", "/")).lower())
    return f".{match.group(1)}" if match else ""


def stored_name(folder: str, client_name: str = "") -> str:
    """``folder/<random>.ext``: a name no client chooses and no storage refuses."""
    return f"{folder.strip('/')}/{secrets.token_hex(16)}{extension(client_name)}"


def label(client_name: str, *, limit: int = LABEL_LENGTH, default: str = "file") -> str:
    """The client's file name as shown to people: no folders, no control characters, at most
    ``limit`` characters (the extension kept when the middle is cut)."""
    name = clean_line(posixpath.basename((client_name or "").replace("\\", "/"))).strip()
    if not name:
        return default
    if len(name) <= limit:
        return name
    ext = extension(name)
    return name[: limit - len(ext) - 1] + "…" + ext


@deconstructible
class RandomName:
    """``upload_to`` for a ``FileField``: ``folder`` (strftime codes allowed, e.g.
    ``"requests/%Y/%m"``) and a random name with the upload's extension."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance: object, filename: str) -> str:
        return stored_name(timezone.now().strftime(self.folder), filename)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)
