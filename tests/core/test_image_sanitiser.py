"""The image sanitiser (core.images, the seed of issue 13's file service): the type comes from
the bytes, more pixels than the limit are refused before decoding, and what comes out is the
picture alone — no EXIF, XMP or text chunks — turned the way the camera said."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, PngImagePlugin

from cityhall.core.errors import InvalidInput
from cityhall.core.images import sanitise_image

SECRET = "Khaziakhmetova, 55.7887 N 49.1221 E"


def _jpeg_on_its_side() -> bytes:
    """A 40x20 photo stored as 20x40 with Orientation=6 (turn 90° clockwise to view)."""
    image = Image.new("RGB", (20, 40), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = SECRET
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=SECRET.encode())
    return out.getvalue()


def test_a_photo_loses_exif_and_comment_but_keeps_its_orientation():
    clean = sanitise_image(_jpeg_on_its_side(), name="photo.jpg")
    assert SECRET.encode() not in clean.content
    assert (clean.width, clean.height) == (40, 20)
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.format == "JPEG" and image.size == (40, 20)
        assert not image.getexif() and "comment" not in image.info


def test_png_text_chunks_and_webp_metadata_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", SECRET)
    info.add_itxt("XML:com.adobe.xmp", SECRET)
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    clean = sanitise_image(out.getvalue(), name="scan.png")
    assert SECRET.encode() not in clean.content and clean.content_type == "image/png"
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.mode == "RGBA" and image.getpixel((0, 0)) == (0, 0, 255, 128)
    webp = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = SECRET
    Image.new("RGB", (8, 8)).save(webp, "WEBP", exif=exif.tobytes(), xmp=SECRET.encode())
    assert SECRET.encode() in webp.getvalue()
    clean = sanitise_image(webp.getvalue(), name="photo.webp")
    assert SECRET.encode() not in clean.content and clean.extension == ".webp"


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that claims a huge size: a decompression bomb's header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    body = struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return b"\x89PNG\r\n\x1a\n" + body + b"\x00\x00\x00\x00IEND\xaeB`\x82"


def test_more_pixels_than_the_limit_are_refused_before_decoding():
    with pytest.raises(InvalidInput) as refused:
        sanitise_image(_png_header_only(30_000, 30_000), name="bomb.png", field="photo")
    assert "too many pixels" in refused.value.fields["photo"][0]
    with pytest.raises(InvalidInput):
        sanitise_image(_png_header_only(200, 200), name="p.png", pixel_limit=100)


@pytest.mark.parametrize(
    "data",
    [
        b"GIF89a\x01\x00\x01\x00<html><script>alert(1)</script></html>",  # GIF/HTML polyglot
        b"%PDF-1.4 not an image",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
    ],
)
def test_what_is_not_an_allowed_image_is_refused_with_the_reason(data):
    with pytest.raises(InvalidInput) as refused:
        sanitise_image(data, name="picture.png")
    message = refused.value.fields["file"][0]
    assert "picture.png is not an image of an accepted type (JPEG, PNG, WebP)" in message


def test_only_the_types_the_caller_allows_are_accepted():
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "WEBP")
    with pytest.raises(InvalidInput) as refused:
        sanitise_image(out.getvalue(), name="x.webp", allowed=("image/jpeg", "image/png"))
    assert "(JPEG, PNG)" in refused.value.fields["file"][0]


def test_a_cut_off_image_is_refused_as_unreadable():
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (1, 2, 3)).save(out, "PNG")
    with pytest.raises(InvalidInput) as refused:
        sanitise_image(out.getvalue()[:50], name="cut.png")
    assert "could not be read as an image" in refused.value.fields["file"][0]
