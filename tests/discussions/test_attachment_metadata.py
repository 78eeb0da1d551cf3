"""Proposal attachments lose their metadata (issue 20 item 18): a photo's author and GPS
position never reach the public download, whichever channel the file came by (the page or the
API's multipart upload), and an image that is not what it claims, or too large to decode, is
refused with the reason before anything is stored."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityhall.discussions.models import Proposal
from tests.core.hostile_files import minimal_pdf

pytestmark = pytest.mark.django_db

AUTHOR = "Khaziakhmetova Roza"


def photo_with_exif(fmt: str = "JPEG", size=(64, 48)) -> bytes:
    """A small photo carrying its author and a GPS position, as a phone would write them."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x013B] = AUTHOR  # Artist
    exif[0x8298] = "(c) " + AUTHOR  # Copyright
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (55.0, 47.0, 24.0), 3: "E", 4: (49.0, 6.0, 52.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def _download(client, discussion, attachment) -> bytes:
    response = client.get(
        f"/discussions/{discussion.pk}/proposals/{attachment.proposal.number}"
        f"/attachments/{attachment.pk}/",
        follow=True,
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _assert_clean(data: bytes) -> None:
    assert AUTHOR.encode() not in data
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert 0x013B not in exif
        assert 0x8825 not in exif
        assert not exif.get_ifd(0x8825)
        assert "exif" not in image.info


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "photo.jpg"), ("PNG", "scan.png")])
def test_photo_attached_on_the_page_is_downloaded_without_author_or_location(
    client, discussion, resident, fmt, name
):
    original = photo_with_exif(fmt)
    assert AUTHOR.encode() in original  # the upload does carry it
    client.force_login(resident)
    response = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {
            "kind": "proposal",
            "text": "Фото ямы у школы",
            "attachments": SimpleUploadedFile(name, original, "image/jpeg"),
        },
    )
    assert response.status_code == 302
    attachment = Proposal.objects.get().attachments.get()
    client.logout()
    data = _download(client, discussion, attachment)
    _assert_clean(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (64, 48)
        assert image.format == fmt
    assert attachment.size == len(data)


def test_an_image_with_too_many_pixels_is_refused_before_storage(
    client, discussion, resident, settings
):
    settings.CITYHALL_MAX_IMAGE_PIXELS = 1000
    client.force_login(resident)
    big = SimpleUploadedFile("plan.png", photo_with_exif("PNG", size=(100, 100)), "image/png")
    response = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {"kind": "proposal", "text": "Большой план", "attachments": big},
    )
    assert response.status_code == 422
    assert "too many pixels" in response.content.decode()
    assert not Proposal.objects.exists()
    media = settings.MEDIA_ROOT
    stored = [f for _r, _d, files in os.walk(media) for f in files] if os.path.exists(media) else []
    assert stored == []


def test_a_broken_image_is_refused_with_the_reason_in_russian(client, discussion, resident):
    client.force_login(resident)
    broken = photo_with_exif("PNG")[:60]  # a PNG signature and a cut-off header
    response = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {
            "kind": "proposal",
            "text": "Сломанный файл",
            "attachments": SimpleUploadedFile("scan.png", broken, "image/png"),
        },
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 422
    assert "не удалось прочитать как изображение" in response.content.decode()
    assert not Proposal.objects.exists()


# --- the API accepts attachments too (multipart/form-data) -------------------------------------


def _bearer(user) -> dict:
    from cityhall.accounts.tokens import create_api_token

    return {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=user, name='app')}"}


def test_api_accepts_attachments_and_strips_their_metadata(client, discussion, resident):
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals/with-attachments",
        {
            "text": "Фото и схема через API",
            "kind": "proposal",
            "attachments": [
                SimpleUploadedFile("photo.jpg", photo_with_exif(), "image/jpeg"),
                SimpleUploadedFile("plan.pdf", minimal_pdf(), "x/y"),
            ],
        },
        **_bearer(resident),
    )
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    item = client.get(f"/api/v1/discussions/{discussion.pk}/proposals/{number}").json()
    assert [a["name"] for a in item["attachments"]] == ["photo.jpg", "plan.pdf"]
    assert item["attachments"][0]["content_type"] == "image/jpeg"
    photo = client.get(item["attachments"][0]["url"])
    assert item["attachments"][0]["url"].startswith("/files/")
    data = b"".join(photo.streaming_content)
    _assert_clean(data)
    assert item["attachments"][0]["size"] == len(data)


def test_api_refuses_a_disguised_file_with_the_reason_and_stores_nothing(
    client, discussion, resident, settings
):
    html = b"GIF89a<html><script>alert(1)</script></html>"
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals/with-attachments",
        {"text": "Полиглот", "attachments": [SimpleUploadedFile("pic.png", html, "image/png")]},
        **_bearer(resident),
    )
    assert response.status_code == 422
    body = response.json()
    assert "pic.png" in body["fields"]["attachments"][0]
    assert not Proposal.objects.exists()
    media = settings.MEDIA_ROOT
    stored = [f for _r, _d, files in os.walk(media) for f in files] if os.path.exists(media) else []
    assert stored == []


def test_api_refuses_more_than_five_attachments(client, discussion, resident):
    files = [SimpleUploadedFile(f"p{i}.png", photo_with_exif("PNG"), "image/png") for i in range(6)]
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals/with-attachments",
        {"text": "Много файлов", "attachments": files},
        **_bearer(resident),
    )
    assert response.status_code == 422
    assert "at most 5 files" in response.json()["fields"]["attachments"][0]


def test_the_multipart_submission_is_documented_in_openapi(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/discussions/{pk}/proposals/with-attachments"]["post"]
    content = operation["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    properties = content["multipart/form-data"]["schema"]["properties"]
    assert properties["attachments"]["items"]["format"] == "binary"
    assert {"text", "kind"} <= set(properties)
    assert "EXIF" in operation["description"]


def test_photos_stored_before_the_fix_are_cleaned_by_the_command(client, discussion, resident):
    """Attachments stored with their EXIF (before uploads were cleaned) are re-encoded by
    ``cityhall strip_attachment_metadata``; a second run changes nothing."""
    from io import StringIO

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.core.management import call_command

    from cityhall.core.file_records import record_existing
    from cityhall.core.models import AuditRecord, StoredFile
    from cityhall.discussions import services
    from cityhall.discussions.models import ProposalAttachment

    proposal = services.submit_proposal(discussion=discussion, author=resident, text="Старое фото")
    name = default_storage.save("discussions/1/proposals/old.jpg", ContentFile(photo_with_exif()))
    stored = record_existing(
        StoredFile, name, purpose="discussions.attachment", visibility="public", label="old.jpg"
    )
    old = ProposalAttachment.objects.create(
        proposal=proposal,
        stored=stored,
        original_name="old.jpg",
        content_type="image/jpeg",
        size=stored.size,
        sha256=stored.sha256,
    )
    assert AUTHOR.encode() in _download(client, discussion, old)

    out = StringIO()
    call_command("strip_attachment_metadata", stdout=out)
    assert "1 attachment(s)" in out.getvalue()
    old.refresh_from_db()
    data = _download(client, discussion, old)
    _assert_clean(data)
    assert old.size == len(data)
    assert AuditRecord.objects.filter(action="discussions.attachment_metadata_stripped").exists()
    call_command("strip_attachment_metadata", stdout=out)
    assert "0 attachment(s)" in out.getvalue()
