"""The file service refuses hostile files with the reason named and stores nothing; what it
keeps is re-encoded, named at random with the detected type's extension, and recorded."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityhall.core import uploads
from cityhall.core.errors import InvalidInput
from cityhall.core.file_purposes import Purpose, register_purpose
from cityhall.core.models import StoredFile
from tests.core import hostile_files as hostile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

register_purpose(
    Purpose(code="tests.evidence", kinds=("image", "pdf"), max_bytes=200_000, folder="tests/%Y")
)
register_purpose(Purpose(code="tests.plan", kinds=("geojson",), max_bytes=10_000, folder="tests"))


def _stored_files(settings) -> list[str]:
    root = settings.MEDIA_ROOT
    return [os.path.join(d, f) for d, _, names in os.walk(root) for f in names]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("page.jpg", hostile.HTML, "file_type"),
        ("cat.gif", hostile.gif_html_polyglot(), "file_active_content"),
        ("report.pdf", hostile.pdf_html_polyglot(), "file_active_content"),
        ("report.pdf", hostile.pdf_with_javascript(), "file_active_content"),
        ("report.pdf", hostile.pdf_with_escaped_javascript(), "file_active_content"),
        ("report.pdf", hostile.pdf_with_launch(), "file_active_content"),
        ("bomb.png", hostile.huge_png(), "file_pixels"),
        ("big.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 200_001, "file_size"),
        ("empty.png", b"", "file_empty"),
    ],
)
def test_hostile_file_is_refused_with_its_reason_and_nothing_is_stored(settings, name, data, code):
    with pytest.raises(InvalidInput) as refused:
        uploads.accept(SimpleUploadedFile(name, data), purpose="tests.evidence", field="photo")
    assert refused.value.code == code
    assert name in refused.value.fields["photo"][0]
    assert not StoredFile.objects.exists()
    assert _stored_files(settings) == []


def test_refusal_reason_is_in_the_readers_language():
    from django.utils import translation

    with translation.override("ru"), pytest.raises(InvalidInput) as refused:
        uploads.check(hostile.huge_png(), purpose="tests.evidence", name="bomb.png")
    assert "мегапиксел" in refused.value.fields["file"][0]


def test_photo_is_stored_without_exif_under_a_random_name_of_its_detected_type(settings):
    owner = UserFactory()
    checked = uploads.check(
        SimpleUploadedFile("holiday.png", hostile.jpeg_with_gps(55.79, 49.12)),
        purpose="tests.evidence",
    )
    assert checked.location == pytest.approx((55.79, 49.12), abs=1e-3)
    stored = uploads.store(checked, owner=owner)
    stored.refresh_from_db()
    assert stored.content_type == "image/jpeg"
    assert stored.file.name.startswith("tests/") and stored.file.name.endswith(".jpg")
    assert "holiday" not in stored.file.name
    assert stored.label == "holiday.png"
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif()
        assert b"Ivan" not in data and b"PhoneMaker" not in data


def test_client_name_of_150_characters_is_kept_as_a_label_only():
    name = "а" * 146 + ".pdf"
    stored = uploads.accept(
        SimpleUploadedFile(name, hostile.minimal_pdf()), purpose="tests.evidence"
    )
    stored.refresh_from_db()
    assert stored.label == name
    assert len(stored.file.name) < 60 and stored.file.name.endswith(".pdf")


def test_geojson_is_accepted_only_when_it_is_geojson():
    stored = uploads.accept(
        SimpleUploadedFile("area.txt", b'{"type": "Point", "coordinates": [49.1, 55.8]}'),
        purpose="tests.plan",
    )
    assert stored.content_type == "application/geo+json" and stored.file.name.endswith(".geojson")
    with pytest.raises(InvalidInput) as refused:
        uploads.accept(SimpleUploadedFile("area.geojson", b'{"a": 1}'), purpose="tests.plan")
    assert refused.value.code == "file_type"


def test_gif_is_kept_as_its_first_frame_in_png():
    out = io.BytesIO()
    Image.new("P", (5, 3)).save(out, "GIF")
    stored = uploads.accept(SimpleUploadedFile("a.gif", out.getvalue()), purpose="tests.evidence")
    assert stored.content_type == "image/png" and stored.file.name.endswith(".png")
    assert (stored.width, stored.height) == (5, 3)


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WebP"),
                                           ("GIF", "GIF")])  # fmt: skip
def test_what_a_form_is_told_to_accept_is_what_the_service_accepts(fmt, name):
    """Every image type the service takes is named and offered to the file chooser by
    ``accepted_types`` (the forms' text), with the purpose's limit."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 90, 160)).save(buffer, fmt)
    checked = uploads.check(buffer.getvalue(), purpose="tests.evidence", name=f"x.{fmt}")
    told = uploads.accepted_types("tests.evidence")
    assert told.names == "JPEG, PNG, WebP, GIF, PDF" and name in told.names
    assert checked.content_type in told.accept.split(",")
    assert checked.extension in told.accept.split(",")
    assert told.max_mb == f"{200_000 / 2**20:g}"
    assert uploads.accepted_types("tests.plan").accept == ".geojson,.json,application/geo+json"
