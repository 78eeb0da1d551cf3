"""Files an attacker sends, made in memory: each one small and cheap to build."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def png(width: int = 8, height: int = 8, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(lat: float = 55.79, lon: float = 49.12) -> bytes:
    """A JPEG whose EXIF names the camera's owner and where the photo was taken."""
    image = Image.new("RGB", (16, 12), (10, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = "Ivan Ivanov"  # Artist
    exif[0x010F] = "PhoneMaker"  # Make

    def dms(value: float):
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60, 4)
        return (d, m, s)

    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def huge_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG whose header declares 900 megapixels: a few dozen bytes, a bomb if decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def gif_html_polyglot() -> bytes:
    """A real GIF that a browser sniffing the content would also run as a page."""
    out = io.BytesIO()
    Image.new("P", (4, 4)).save(out, "GIF", comment=b"<script>alert(1)</script>")
    return out.getvalue() + HTML


def minimal_pdf(
    extra_catalog: bytes = b"", extra_objects: bytes = b"", prefix: bytes = b""
) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    body += extra_objects
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        body += b"%010d 00000 n \n" % offset
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


def pdf_with_javascript() -> bytes:
    return minimal_pdf(extra_catalog=b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


def pdf_with_escaped_javascript() -> bytes:
    """The same action with its names written in #xx escapes, which a byte search misses."""
    return minimal_pdf(extra_catalog=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>")


def pdf_with_launch() -> bytes:
    return minimal_pdf(extra_catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >>")


def pdf_html_polyglot() -> bytes:
    return minimal_pdf() + HTML
