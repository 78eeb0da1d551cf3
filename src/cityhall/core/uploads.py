"""Accepting a file: checked on the way in, stored under a name the platform chooses, recorded.

Every file a person sends (a resident's photo, a proposal's attachment, an applicant's identity
document, an answer to an interdepartmental request) passes :func:`check` before a byte is
stored, then :func:`store` writes it and its :class:`~cityhall.core.models.StoredFile` row;
:func:`accept` does both. The rules, in the order they are applied, each refusal naming its
reason in the reader's language (``InvalidInput`` on the caller's field, with a ``code``):

1. size (``file_size``): more than the purpose's ``max_bytes`` is refused from the upload's
   declared size, before it is read; an empty file too;
2. type (``file_type``): the kind is detected from the bytes (puremagic's signatures, never the
   name or the client's content type) and must be one the purpose allows;
3. active content (``file_active_content``): HTML or script where a browser would sniff it (a
   GIF/HTML or PDF/HTML polyglot), a PDF with JavaScript, launch or other actions, embedded
   files or XFA forms (pypdf walks every object, compressed object streams included);
4. pixels (``file_pixels``): an image's dimensions are read from its header and more than the
   purpose's limit (``CITYHALL_MAX_IMAGE_PIXELS``) is refused before decoding;
5. images are decoded and re-encoded from the pixels alone (``core.images``): what is stored
   holds no EXIF, XMP or trailing bytes. The photo's GPS position is read first and returned
   as :attr:`CheckedFile.location`, so a resident may choose to keep it as the request's point.

The stored name is ``<folder>/<32 random hex digits><extension of the detected type>``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import puremagic
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from . import files, images, thumbnails
from .errors import InvalidInput
from .file_purposes import Purpose
from .file_purposes import purpose as find_purpose

__all__ = [
    "AcceptedTypes",
    "CheckedFile",
    "accept",
    "accepted_types",
    "check",
    "current_sha256",
    "detected_type",
    "discard",
    "store",
    "store_generated",
]

#: detected content type → (kind, extension of the stored file)
_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": ("image", ".jpg"),
    "image/png": ("image", ".png"),
    "image/webp": ("image", ".webp"),
    "image/gif": ("image", ".gif"),
    "application/pdf": ("pdf", ".pdf"),
}
#: How each kind is named to a person: in refusals and, through :func:`accepted_types`, on the
#: forms that ask for a file (one list, so the two cannot say different things).
_KIND_NAMES = {
    "image": "JPEG, PNG, WebP, GIF",
    "pdf": "PDF",
    "geojson": "GeoJSON",
    "json": "JSON",
}
#: What a browser's file chooser is offered for a kind besides the detected types' own
#: extensions and content types (JSON is recognised by parsing, so it has no entry above).
_CHOOSER_EXTRAS = {
    "image": (".jpeg",),
    "geojson": (".geojson", ".json", "application/geo+json"),
    "json": (".json", "application/json"),
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
#: What makes a browser render a file as a page (the MIME sniffing algorithm's HTML patterns
#: and script): found in an image at all, or near either end of a PDF, the file is refused.
_ACTIVE_MARKUP = re.compile(
    rb"<(?:script|html|!doctype\s+html|head|body|iframe|svg|object|embed|meta|img|a\s)"
    rb"|javascript:",
    re.IGNORECASE,
)
#: PDF names that run something or carry another file (pypdf decodes ``#xx`` escapes).
_PDF_ACTIVE_KEYS = {
    "/JS",
    "/JavaScript",
    "/Launch",
    "/EmbeddedFile",
    "/EmbeddedFiles",
    "/RichMedia",
    "/XFA",
    "/AA",
}
_PDF_ACTIVE_VALUES = {
    "/JavaScript",
    "/Launch",
    "/ImportData",
    "/SubmitForm",
    "/RichMediaExecute",
    "/EmbeddedFile",
    "/FileAttachment",
    "/RichMedia",
}
_PDF_RAW = re.compile(rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia)\b")


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check`: the bytes to store (re-encoded for images)."""

    purpose: str
    content: bytes
    content_type: str
    extension: str
    label: str
    width: int | None = None
    height: int | None = None
    #: (latitude, longitude) from the photo's EXIF, for the resident who keeps it
    location: tuple[float, float] | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def detected_type(data: bytes) -> str | None:
    """The content type the bytes say (their signature), or None for plain text or unknown."""
    try:
        matches = puremagic.magic_string(data[:65536])
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type in _TYPES:
            return match.mime_type
    if data[:5] == b"%PDF-" or (b"%PDF-" in data[:1024]):
        return "application/pdf"
    return None


def _refuse(field: str, code: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]}, code=code)


def _read(upload: Any, limit: int) -> bytes:
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: limit + 1])
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if hasattr(upload, "seek"):
        upload.seek(0)
    return data


def _accepted_kinds(declared: Purpose) -> str:
    return ", ".join(_KIND_NAMES[k] for k in declared.kinds)


def _max_mb(declared: Purpose) -> str:
    return f"{declared.max_bytes / 2**20:g}"


@dataclass(frozen=True)
class AcceptedTypes:
    """What a purpose accepts, told before a file is chosen: ``names`` as refusals name them
    ("PDF, JPEG, PNG, WebP, GIF"), ``accept`` for the file input's ``accept`` attribute
    (extensions and content types) and ``max_mb`` the size limit in MB."""

    names: str
    accept: str
    max_mb: str


def accepted_types(purpose: str) -> AcceptedTypes:
    """What :func:`check` accepts for ``purpose``, for the form that asks for the file: read
    from the purpose's kinds and the detected types, so a form never names fewer or other
    types than the service takes."""
    declared = find_purpose(purpose)
    if declared is None:
        raise LookupError(f"no file purpose {purpose!r} is registered")
    offered: list[str] = []
    for kind in declared.kinds:
        detected = [(t, ext) for t, (k, ext) in _TYPES.items() if k == kind]
        for item in (
            *(ext for _t, ext in detected),
            *_CHOOSER_EXTRAS.get(kind, ()),
            *(t for t, _ext in detected),
        ):
            if item not in offered:
                offered.append(item)
    return AcceptedTypes(
        names=_accepted_kinds(declared),
        accept=",".join(offered),
        max_mb=_max_mb(declared),
    )


def _pdf_is_active(data: bytes) -> bool:
    """True when any object of the PDF runs something or carries another file."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if _PDF_RAW.search(data):
        return True
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise ValueError("encrypted")
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [reader.trailer]
    budget = 200_000
    while pending and budget:
        budget -= 1
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for name, value in item.items():
                if name in _PDF_ACTIVE_KEYS:
                    return True
                if name in ("/S", "/Subtype", "/Type") and value in _PDF_ACTIVE_VALUES:
                    return True
                if name != "/Parent":
                    pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return False


def _check_pdf(data: bytes, *, field: str, name: str) -> None:
    head, tail = data[:4096], data[-4096:]
    if not data.startswith(b"%PDF-") or _ACTIVE_MARKUP.search(head) or _ACTIVE_MARKUP.search(tail):
        raise _refuse(
            field,
            "file_active_content",
            _("%(name)s holds web page code besides the PDF and was not accepted.")
            % {"name": name},
        )
    try:
        active = _pdf_is_active(data)
    except Exception:  # noqa: BLE001 - anything pypdf cannot read is not a PDF we keep
        raise _refuse(
            field,
            "file_unreadable",
            _("%(name)s could not be read as a PDF (damaged or password-protected).")
            % {"name": name},
        ) from None
    if active:
        raise _refuse(
            field,
            "file_active_content",
            _(
                "%(name)s contains active content (JavaScript, actions or embedded files) "
                "and was not accepted. Print it to a new PDF and send that."
            )
            % {"name": name},
        )


def _gps_location(data: bytes) -> tuple[float, float] | None:
    """The photo's position from its EXIF GPS block, or None."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            gps = image.getexif().get_ifd(0x8825)
        if not gps or 2 not in gps or 4 not in gps:
            return None

        def degrees(value: Any) -> float:
            d, m, s = (float(x) for x in value)
            return d + m / 60 + s / 3600

        lat, lon = degrees(gps[2]), degrees(gps[4])
        if str(gps.get(1, "N")).upper().startswith("S"):
            lat = -lat
        if str(gps.get(3, "E")).upper().startswith("W"):
            lon = -lon
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return (round(lat, 6), round(lon, 6))
    except Exception:  # noqa: BLE001 - a damaged GPS block is simply no location
        return None
    return None


def _first_frame_as_png(data: bytes) -> bytes:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data), formats=["GIF"]) as image:
            image.seek(0)
            frame = image.convert("RGBA")
    except Exception:  # noqa: BLE001 - left to sanitise_image to refuse as unreadable
        return data
    out = io.BytesIO()
    frame.save(out, "PNG")
    return out.getvalue()


def _check_image(
    data: bytes, content_type: str, *, declared: Purpose, field: str, name: str
) -> CheckedFile:
    from PIL import Image

    if _ACTIVE_MARKUP.search(data):
        raise _refuse(
            field,
            "file_active_content",
            _("%(name)s holds web page code besides the picture and was not accepted.")
            % {"name": name},
        )
    limit = declared.max_pixels or images.max_pixels()
    too_many = _refuse(
        field,
        "file_pixels",
        _("%(name)s has too many pixels (at most %(limit)s megapixels are accepted).")
        % {"name": name, "limit": f"{limit / 1_000_000:g}"},
    )
    try:
        with Image.open(io.BytesIO(data)) as header:  # reads the header, decodes nothing
            width, height = header.size
    except Image.DecompressionBombError:
        raise too_many from None
    except Exception:  # noqa: BLE001 - unreadable is refused by sanitise_image below
        width = height = 0
    if width * height > limit:
        raise too_many
    location = _gps_location(data)
    if content_type == "image/gif" and width * height:
        # kept as its first frame in PNG: core.images re-encodes the formats pages show
        data, content_type = _first_frame_as_png(data), "image/png"
    try:
        clean = images.sanitise_image(
            data, name=name, field=field, allowed=(content_type,), pixel_limit=limit
        )
    except InvalidInput as refused:
        refused.code = "file_pixels" if width * height > limit else "file_unreadable"
        raise
    return CheckedFile(
        purpose=declared.code,
        content=clean.content,
        content_type=clean.content_type,
        extension=clean.extension,
        label=name,
        width=clean.width,
        height=clean.height,
        location=location,
    )


def _check_json(data: bytes, kinds: Sequence[str], *, declared: Purpose, field: str, name: str):
    not_json = _refuse(
        field,
        "file_type",
        _("%(name)s is not a file of an accepted type (%(types)s).")
        % {"name": name, "types": _accepted_kinds(declared)},
    )
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise not_json from None
    if "geojson" in kinds and isinstance(parsed, dict) and parsed.get("type") in _GEOJSON_TYPES:
        return CheckedFile(declared.code, data, "application/geo+json", ".geojson", name)
    if "json" in kinds:
        return CheckedFile(declared.code, data, "application/json", ".json", name)
    raise not_json


def check(upload: Any, *, purpose: str, field: str = "file", name: str = "") -> CheckedFile:
    """The checked file for ``purpose``, or :class:`InvalidInput` on ``field`` naming why.

    ``upload`` is an uploaded file, any file object, or bytes; ``name`` the client's file name
    when ``upload`` carries none (only shown, never used to store)."""
    declared = find_purpose(purpose)
    if declared is None:
        raise LookupError(f"no file purpose {purpose!r} is registered")
    label = files.label(name or getattr(upload, "name", "") or "", default=_("file"))
    size = getattr(upload, "size", None)
    too_large = _refuse(
        field,
        "file_size",
        _("%(name)s is larger than %(limit)s MB.") % {"name": label, "limit": _max_mb(declared)},
    )
    if size is not None and size > declared.max_bytes:
        raise too_large
    data = _read(upload, declared.max_bytes)
    if len(data) > declared.max_bytes:
        raise too_large
    if not data:
        raise _refuse(field, "file_empty", _("%(name)s is empty.") % {"name": label})
    content_type = detected_type(data)
    kind = _TYPES[content_type][0] if content_type else None
    if kind is None and ("geojson" in declared.kinds or "json" in declared.kinds):
        return _check_json(data, declared.kinds, declared=declared, field=field, name=label)
    if kind not in declared.kinds:
        raise _refuse(
            field,
            "file_type",
            _("%(name)s is not a file of an accepted type (%(types)s).")
            % {"name": label, "types": _accepted_kinds(declared)},
        )
    if kind == "image":
        return _check_image(data, content_type, declared=declared, field=field, name=label)
    _check_pdf(data, field=field, name=label)
    return CheckedFile(declared.code, data, content_type, _TYPES[content_type][1], label)


def store(
    checked: CheckedFile,
    *,
    owner: Any = None,
    visibility: str = "case",
) -> Any:
    """Write a checked file and its record; the storage name is random, the extension the
    detected type's. Returns the :class:`~cityhall.core.models.StoredFile`."""
    from .models import StoredFile

    declared = find_purpose(checked.purpose)
    folder = timezone.now().strftime(declared.folder if declared else "files/%Y/%m")
    name = default_storage.save(
        files.stored_name(folder, f"file{checked.extension}"), ContentFile(checked.content)
    )
    stored = StoredFile(
        purpose=checked.purpose,
        owner=owner if getattr(owner, "pk", None) else None,
        visibility=visibility,
        label=checked.label,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        width=checked.width,
        height=checked.height,
    )
    stored.file.name = name
    try:
        stored.save(force_insert=True)
    except Exception:
        default_storage.delete(name)
        raise
    thumbnails.schedule(stored)  # photos' small copies, made after commit (core.thumbnails)
    return stored


def accept(
    upload: Any,
    *,
    purpose: str,
    owner: Any = None,
    visibility: str = "case",
    field: str = "file",
    name: str = "",
) -> Any:
    """:func:`check` then :func:`store`: the one call for a file a person sends."""
    return store(
        check(upload, purpose=purpose, field=field, name=name), owner=owner, visibility=visibility
    )


def store_generated(
    content: bytes,
    *,
    purpose: str,
    label: str,
    content_type: str,
    extension: str,
    owner: Any = None,
    visibility: str = "case",
) -> Any:
    """Record a file the platform made itself (a result PDF, a protocol): not checked, only
    stored and recorded like any other, so it is served by the same view and rules."""
    return store(
        CheckedFile(purpose, content, content_type, extension, files.label(label)),
        owner=owner,
        visibility=visibility,
    )


def current_sha256(stored_file: Any) -> str:
    """The SHA-256 of the bytes in storage now (to catch a file changed behind the record's
    back, e.g. when a signature is verified); "" when the file is gone."""
    digest = hashlib.sha256()
    try:
        with stored_file.file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (OSError, ValueError):
        return ""
    return digest.hexdigest()


def discard(stored_files: Iterable[Any]) -> None:
    """Remove files and their records that no object will use (a refused submission)."""
    for stored in stored_files:
        if stored is None:
            continue
        name = stored.file.name
        if stored.pk and not stored._state.adding:
            type(stored).objects.filter(pk=stored.pk).delete()
        if name:
            default_storage.delete(name)
