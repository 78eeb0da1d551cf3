"""What each kind of stored file is for, declared by the app that owns it.

A file is stored for a *purpose* ("service_requests.photo", "municipal_services.application_file"):
the purpose says which kinds of content are accepted, how large a file and how many pixels
may be, where it is kept, and — the rule the serving view asks before a byte leaves — who may
see it. Each app declares its purposes in ``AppConfig.ready()``, so ``core`` serves every app's
files without importing any (as ``core.opendata`` and ``core.shell`` do)::

    from cityhall.core.file_purposes import Purpose, register_purpose
    register_purpose(Purpose(code="service_requests.photo", kinds=("image",),
                             max_bytes=5 * 2**20, folder="requests/%Y/%m",
                             can_view=photos.can_view))

``can_view(user, stored_file) -> bool`` is the only access rule: the view answers 404 to
whoever it refuses, so a private file's existence is not told either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import StoredFile

__all__ = ["KINDS", "Purpose", "purpose", "purposes", "register_purpose"]

#: The kinds of content the file service knows how to check (``core.uploads``).
KINDS = ("image", "pdf", "geojson", "json")


def nobody_else(user: Any, stored_file: StoredFile) -> bool:
    """The default rule: the owner only (and nobody at all for a file without an owner)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and stored_file.owner_id is not None
        and stored_file.owner_id == user.pk
    )


@dataclass(frozen=True)
class Purpose:
    code: str
    kinds: tuple[str, ...]
    max_bytes: int
    folder: str
    can_view: Callable[[Any, StoredFile], bool] = nobody_else
    #: more pixels than this are refused before decoding (None: ``CITYHALL_MAX_IMAGE_PIXELS``)
    max_pixels: int | None = None
    #: reads by staff (anyone but the owner) are written to the audit chain: identity documents
    audit_reads: bool = False
    #: the file is sent for download (``Content-Disposition: attachment``) even if it is a PDF
    #: or an image a browser could show
    download: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.kinds) - set(KINDS)
        if unknown:
            raise ValueError(f"{self.code}: unknown kinds {sorted(unknown)}")


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(declared: Purpose) -> None:
    _PURPOSES[declared.code] = declared


def purpose(code: str) -> Purpose | None:
    return _PURPOSES.get(code)


def purposes() -> list[Purpose]:
    return sorted(_PURPOSES.values(), key=lambda p: p.code)
