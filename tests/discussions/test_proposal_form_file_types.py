"""The proposal form says which files it takes, from the file service's own list for the
attachment's purpose (issue 13): every type the service accepts is named in the field's help
and offered by the file chooser (`accept`), in ru, tt and en; a WebP or GIF the form names is
taken through the page; a refusal names the same list; and a purpose that changes its kinds
changes the form with it."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cityhall.core import file_purposes
from cityhall.discussions.file_access import ATTACHMENT
from cityhall.discussions.models import Proposal

pytestmark = pytest.mark.django_db

ALL_TYPES = "PDF, JPEG, PNG, WebP, GIF, GeoJSON"
HELP = {
    "en": f"Accepted types: {ALL_TYPES}; up to 10 MB.",
    "ru": f"Принимаются файлы: {ALL_TYPES}; до 10 МБ.",
    "tt": f"Кабул ителә торган файллар: {ALL_TYPES}; 10 МБ кадәр.",
}


def _form(client, discussion, language: str = "en") -> str:
    client.cookies["django_language"] = language
    return client.get(f"/discussions/{discussion.pk}/propose/").content.decode()


def _help(page: str) -> str:
    return re.search(r'id="id_attachments_helptext">([^<]*)<', page).group(1)


def _accept(page: str) -> list[str]:
    field = re.search(r'<input[^>]*name="attachments"[^>]*>', page).group(0)
    return re.search(r'accept="([^"]*)"', field).group(1).split(",")


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("language", ["en", "ru", "tt"])
def test_the_proposal_form_names_every_type_the_file_service_accepts(
    client, discussion, resident, language
):
    client.force_login(resident)
    page = _form(client, discussion, language)
    assert _help(page) == HELP[language]
    assert 'aria-describedby="id_attachments_helptext"' in page
    accept = _accept(page)
    for offered in (".pdf", ".jpg", ".jpeg", ".png", ".webp", ".gif", ".geojson", ".json"):
        assert offered in accept
    for offered in ("application/pdf", "image/webp", "image/gif", "application/geo+json"):
        assert offered in accept


def test_a_webp_or_gif_the_form_names_is_taken_and_a_refusal_names_the_same_list(
    client, discussion, resident
):
    client.force_login(resident)
    for number, (name, fmt) in enumerate((("фото.webp", "WEBP"), ("схема.gif", "GIF")), 1):
        response = client.post(
            f"/discussions/{discussion.pk}/propose/",
            {
                "kind": "proposal",
                "text": f"Фото места {number}",
                "attachments": SimpleUploadedFile(name, _image(fmt)),
            },
        )
        assert response.status_code == 302, name
        assert Proposal.objects.get(number=number).attachments.get().original_name == name
    refused = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {
            "kind": "proposal",
            "text": "Архив",
            "attachments": SimpleUploadedFile("архив.zip", b"PK\x03\x04" + b"\0" * 64),
        },
    )
    assert refused.status_code == 422
    assert f"архив.zip is not a file of an accepted type ({ALL_TYPES})." in refused.content.decode()


def test_the_form_follows_the_purposes_kinds(client, discussion, resident, monkeypatch):
    """The form reads the purpose, not a copy of it: narrowed to PDF of 2 MB, it says so."""
    declared = file_purposes.purpose(ATTACHMENT)
    monkeypatch.setitem(
        file_purposes._PURPOSES,
        ATTACHMENT,
        file_purposes.Purpose(
            code=ATTACHMENT, kinds=("pdf",), max_bytes=2 * 2**20, folder=declared.folder
        ),
    )
    client.force_login(resident)
    page = _form(client, discussion)
    assert _help(page) == "Accepted types: PDF; up to 2 MB."
    assert _accept(page) == [".pdf", "application/pdf"]


@pytest.mark.parametrize("language", ["en", "ru", "tt"])
def test_the_organisers_document_form_names_what_the_file_service_takes(
    client, discussion, organiser, language
):
    from cityhall.core.uploads import accepted_types
    from cityhall.discussions.file_access import DOCUMENT

    accepted = accepted_types(DOCUMENT)
    assert "PDF" in accepted.names and "GeoJSON" in accepted.names
    client.force_login(organiser)
    client.cookies["django_language"] = language
    page = client.get(f"/discussions/manage/{discussion.pk}/").content.decode()
    field = re.search(r'<input[^>]*name="file"[^>]*>', page).group(0)
    assert f'accept="{accepted.accept}"' in field
    help_text = re.search(r'id="id_file_helptext">([^<]*)<', page).group(1)
    assert accepted.names in help_text and str(accepted.max_mb) in help_text
    assert help_text.split(accepted.names)[0] == HELP[language].split(ALL_TYPES)[0]
