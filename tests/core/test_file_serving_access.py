"""``/files/<id>/`` hands a file over only after its purpose's rule allowed the viewer."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from cityhall.core import uploads
from cityhall.core.file_purposes import Purpose, register_purpose
from cityhall.core.models import AuditRecord, StoredFile
from tests.core import hostile_files as hostile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _owner_or_staff(user, stored_file) -> bool:
    if stored_file.visibility == StoredFile.Visibility.PUBLIC:
        return True
    return bool(user.is_authenticated and (user.pk == stored_file.owner_id or user.is_staff))


register_purpose(
    Purpose(
        code="tests.identity",
        kinds=("pdf", "image"),
        max_bytes=100_000,
        folder="tests",
        can_view=_owner_or_staff,
        audit_reads=True,
    )
)


@pytest.fixture
def identity_document():
    return uploads.accept(
        hostile.minimal_pdf(), purpose="tests.identity", owner=UserFactory(), name="passport.pdf"
    )


def test_file_is_served_to_its_owner_with_its_type_and_nosniff(client, identity_document):
    client.force_login(identity_document.owner)
    response = client.get(identity_document.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == hostile.minimal_pdf()


def test_file_is_hidden_from_anonymous_and_from_another_person(client, identity_document):
    assert client.get(identity_document.url)["Location"].startswith("/accounts/")
    client.force_login(UserFactory())
    assert client.get(identity_document.url).status_code == 404


def test_staff_read_of_an_identity_document_is_audited(client, identity_document):
    officer = UserFactory(staff=True, is_staff=True)
    client.force_login(identity_document.owner)
    client.get(identity_document.url)
    assert not AuditRecord.objects.filter(action="file.read").exists()
    client.force_login(officer)
    assert client.get(identity_document.url).status_code == 200
    read = AuditRecord.objects.get(action="file.read")
    assert read.actor_id == officer.pk and read.object_id == str(identity_document.pk)


def test_file_missing_from_storage_shows_a_placeholder_not_an_error(client, identity_document):
    default_storage.delete(identity_document.file.name)
    client.force_login(identity_document.owner)
    response = client.get(identity_document.url)
    assert response.status_code == 404
    assert "File missing" in response.content.decode()


def test_public_file_gets_long_cache_headers(client):
    stored = uploads.accept(
        hostile.png(), purpose="tests.identity", name="x.png", visibility="public"
    )
    response = client.get(stored.url)
    assert response.status_code == 200
    assert "max-age=31536000" in response["Cache-Control"]
