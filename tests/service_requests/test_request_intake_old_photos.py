"""Requests acknowledged before the file service still register with their photos.

Until then an inbox payload carried each photo as the name it was stored under at receipt
(``{"name": "requests/2026/12/IMG_0001.jpg", "width": …, "height": …}``: the client's name,
the photo as sent, EXIF and all, checked by Pillow only); since, as the id of its
``StoredFile`` record (``{"file": "<uuid>", …}``). The inbox worker registers an old item's
photos by checking them now like any upload: kept re-encoded under a random name as private
photos of the request, the old file removed; one that is gone or fails the check is left out
and named in the request's audit record, and the request is registered all the same.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from cityhall.core.models import AuditRecord, InboxItem, StoredFile
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest
from tests.core import hostile_files as hostile


@pytest.fixture
def pending_old_item(client, world, settings):
    """An Open311 request acknowledged (not yet registered) with the old payload's photos."""
    settings.INBOX_INLINE = False
    _client, key = services.create_open311_client(name="City app", actor=None)
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": key, "service_code": "leak", "lat": "55.78001", "long": "49.05001",
         "description": "Water drips from the ceiling"},
    )  # fmt: skip
    assert response.status_code == 202
    item = InboxItem.objects.get(token=response.json()[0]["token"])
    kept = default_storage.save(
        "requests/2026/11/IMG_0001.jpg", ContentFile(hostile.jpeg_with_gps(55.7801, 49.0501))
    )
    polyglot = default_storage.save(
        "requests/2026/11/cat.gif", ContentFile(hostile.gif_html_polyglot())
    )
    payload = {k: v for k, v in item.payload.items() if k not in ("media_url", "photos_public")}
    payload["photos"] = [
        {"name": kept, "width": 64, "height": 48},
        {"name": "requests/2026/11/gone.png", "width": 40, "height": 30},
        {"name": polyglot, "width": 4, "height": 4},
    ]
    InboxItem.objects.filter(pk=item.pk).update(payload=payload)
    return item, kept, polyglot


def test_a_pending_request_with_old_format_photos_registers_with_them_checked(
    client, world, pending_old_item, django_capture_on_commit_callbacks
):
    item, kept, polyglot = pending_old_item

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_inbox", "--once")

    item.refresh_from_db()
    assert item.state == InboxItem.DONE, item.error
    request = ServiceRequest.objects.get(pk=item.object_id)
    photo = request.photos.get()  # the photo that passes the checks, the others left out
    stored = photo.stored
    assert stored.purpose == "service_requests.photo" and stored.content_type == "image/jpeg"
    assert stored.visibility == StoredFile.Visibility.CASE
    assert stored.file.name != kept and stored.file.name.endswith(".jpg")
    with default_storage.open(stored.file.name, "rb") as handle, Image.open(handle) as image:
        assert not image.getexif()  # re-encoded: the GPS position is gone
    assert not default_storage.exists(kept) and not default_storage.exists(polyglot)
    audit = AuditRecord.objects.get(action="service_requests.submitted", object_id=str(request.pk))
    dropped = audit.after["photos_dropped"]
    assert len(dropped) == 2
    assert any("gone.png is missing" in reason for reason in dropped)
    assert any("cat.gif holds web page code" in reason for reason in dropped)
    assert client.get(f"/files/{stored.pk}/").status_code == 302  # private: sign in first
