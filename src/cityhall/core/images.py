"""Images checked on the way in: the type from the bytes, decoded under a pixel limit, and
re-encoded so that nothing but the picture is kept.

A photo from a phone carries its author, the camera's serial number and where it was taken
(EXIF, XMP, text chunks); an "image" may also be a polyglot (a GIF that is also HTML) or a
decompression bomb (a few kilobytes that decode to gigapixels). :func:`sanitise_image` answers
all three the same way: it detects the type from the content (never the name or the client's
content type), refuses a type the caller does not allow, reads the dimensions from the header and
refuses more than ``CITYHALL_MAX_IMAGE_PIXELS`` before decoding, decodes the pixels and writes a
new file from them alone. The orientation a camera recorded is applied to the pixels first, so
a photo is not turned on its side when its EXIF goes. Refusals are :class:`InvalidInput` on the
caller's field with a translated reason naming the file.

This is the seed of the platform's file service (issue 13), which will add PDFs, storage and
serving; apps call this module, never Pillow, for what they accept from people.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Collection
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InvalidInput

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_TYPES",
    "SanitisedImage",
    "carries_metadata",
    "is_image_type",
    "max_pixels",
    "sanitise_image",
]

#: What can be re-encoded: detected content type → (Pillow format, extension).
IMAGE_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": ("JPEG", ".jpg"),
    "image/png": ("PNG", ".png"),
    "image/webp": ("WEBP", ".webp"),
}

#: 40 megapixels: any phone's photo and an A1 scan at 150 dpi; a bomb is far above.
DEFAULT_MAX_PIXELS = 40_000_000

_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP"}


@dataclass(frozen=True)
class SanitisedImage:
    """The re-encoded file: only pixels (and the colour profile), nothing about the person."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def max_pixels() -> int:
    return int(getattr(settings, "CITYHALL_MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))


def detected_type(data: bytes) -> str | None:
    """The content type the bytes themselves say (magic numbers), or None."""
    guess = filetype.guess(data[:8192])
    return guess.mime if guess else None


def is_image_type(content_type: str | None) -> bool:
    return content_type in IMAGE_TYPES


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(fields={field: [message]})


def _allowed_names(allowed: Collection[str]) -> str:
    return ", ".join(_NAMES.get(t, t) for t in IMAGE_TYPES if t in allowed)


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image made of the pixels alone: no ``info`` (EXIF, XMP, comments, text chunks)
    can travel with it, whatever a Pillow version copies by default."""
    if image.mode not in ("1", "L", "LA", "RGB", "RGBA"):
        has_alpha = image.mode in ("PA", "La", "RGBa") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def sanitise_image(
    data: bytes,
    *,
    name: str,
    field: str = "file",
    allowed: Collection[str] = tuple(IMAGE_TYPES),
    pixel_limit: int | None = None,
) -> SanitisedImage:
    """Re-encode an uploaded image, or raise :class:`InvalidInput` on ``field`` saying why:
    the content is not an allowed image type, it cannot be decoded, or it has more pixels
    than ``pixel_limit`` (default ``CITYHALL_MAX_IMAGE_PIXELS``). ``name`` is the client's file
    name, used only in the messages."""
    limit = pixel_limit or max_pixels()
    content_type = detected_type(data)
    if content_type not in IMAGE_TYPES or content_type not in allowed:
        raise _refuse(
            field,
            _("%(name)s is not an image of an accepted type (%(types)s).")
            % {"name": name, "types": _allowed_names(allowed)},
        )
    fmt, extension = IMAGE_TYPES[content_type]
    too_many = _("%(name)s has too many pixels (at most %(limit)s megapixels are accepted).") % {
        "name": name,
        "limit": f"{limit / 1_000_000:g}",
    }
    unreadable = _("%(name)s could not be read as an image; the file may be damaged.") % {
        "name": name
    }
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                width, height = image.size
                if width * height > limit or width <= 0 or height <= 0:
                    raise _refuse(field, too_many)
                icc_profile = image.info.get("icc_profile")
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                clean = _pixels_only(upright)
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(field, too_many) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise _refuse(field, unreadable) from None
    if fmt == "JPEG" and clean.mode not in ("L", "RGB"):
        clean = clean.convert("RGB")
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "JPEG":
        options.update(quality=90, optimize=True)
    elif fmt == "PNG":
        options.update(optimize=True)
    elif fmt == "WEBP":
        options.update(quality=90)
    out = io.BytesIO()
    clean.save(out, fmt, **options)
    return SanitisedImage(
        content=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=clean.width,
        height=clean.height,
    )


#: What a decoder reports that says nothing about a person: layout and colour.
_HARMLESS_INFO = {
    "adobe",
    "adobe_transform",
    "aspect",
    "chromaticity",
    "dpi",
    "gamma",
    "icc_profile",
    "jfif",
    "jfif_density",
    "jfif_unit",
    "jfif_version",
    "progression",
    "progressive",
    "srgb",
    "transparency",
    "loop",
    "duration",
    "background",
    "interlace",
}


def carries_metadata(data: bytes) -> bool:
    """True when an image holds more than pixels and colour (EXIF, XMP, comments, text chunks):
    what files stored before this module was used still carry. Unreadable data: False."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return bool(image.getexif()) or bool(set(image.info) - _HARMLESS_INFO)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return False
