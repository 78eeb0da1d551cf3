"""A checked file leaves with its real type, a safe disposition, nosniff and a sandbox, by
the fastest way the configuration allows (core.file_serving, ADR 0021)."""

from __future__ import annotations

import pytest
import requests
from django.core.files.base import ContentFile
from django.test import RequestFactory

from cityhall.core.file_serving import FileMissing, send_file

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _get(media_storage, name, **kwargs):
    request = RequestFactory().get("/files/x/")
    response = send_file(request, name=name, storage=media_storage, **kwargs)
    if response.status_code == 302:  # S3: the pre-signed URL, fetched as a browser would
        return response, requests.get(response["Location"], timeout=5)
    return response, response


def _body(answer) -> bytes:
    if hasattr(answer, "streaming_content"):
        return b"".join(answer.streaming_content)
    return answer.content


def test_photo_is_sent_inline_with_its_type_and_cached_when_public(media_storage):
    name = media_storage.save("requests/photo.png", ContentFile(PNG))
    response, answer = _get(
        media_storage, name, content_type="image/png", filename="Двор.png", public=True
    )
    assert _body(answer) == PNG
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.headers["Content-Disposition"] == (
        "inline; filename=\"file.png\"; filename*=UTF-8''%D0%94%D0%B2%D0%BE%D1%80.png"
    )
    assert "public" in answer.headers["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_stored_html_is_a_sandboxed_download_never_a_page(media_storage):
    name = media_storage.save("requests/page.html", ContentFile(b"<script>alert(1)</script>"))
    response, answer = _get(
        media_storage, name, content_type="text/html", filename="page.html", public=False
    )
    assert answer.headers["Content-Disposition"] == 'attachment; filename="page.html"'
    assert answer.headers["Content-Type"] == "text/html"
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_missing_file_raises_file_missing(media_storage):
    with pytest.raises(FileMissing):
        _get(
            media_storage,
            "requests/gone.png",
            content_type="image/png",
            filename="a.png",
            public=True,
        )


def test_behind_nginx_the_file_is_handed_over_by_x_accel_redirect(settings, tmp_path):
    from django.core.files.storage import default_storage

    settings.FILES_ACCEL_PREFIX = "/_protected/"
    name = default_storage.save("identity/doc.pdf", ContentFile(b"%PDF-1.4"))
    response, _ = _get(
        default_storage, name, content_type="application/pdf", filename="паспорт.pdf", public=False
    )
    assert response["X-Accel-Redirect"] == f"/_protected/{name}"
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert (
        "filename*=UTF-8''%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82.pdf"
        in response["Content-Disposition"]
    )
    with pytest.raises(FileMissing):
        _get(
            default_storage,
            "identity/gone.pdf",
            content_type="application/pdf",
            filename="a",
            public=False,
        )


def test_download_purpose_forces_attachment_even_for_a_pdf(media_storage):
    name = media_storage.save("results/r.pdf", ContentFile(b"%PDF-1.4"))
    _, answer = _get(
        media_storage,
        name,
        content_type="application/pdf",
        filename="result.pdf",
        public=False,
        download=True,
    )
    assert answer.headers["Content-Disposition"] == 'attachment; filename="result.pdf"'
