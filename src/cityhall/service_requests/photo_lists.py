"""The photo a list or a map pop-up shows for each request: its first photo (not one sent with a
message), as a thumbnail (``/files/<id>/thumbnail/?placeholder=1``, a neutral picture until
the background job has made it).

Pages read it with the requests themselves — one correlated subquery in the list's own query,
never a query per row — and show only what the reader may see: public lists and maps the first
photo shown to everyone, the author's cabinet and the staff desks the first photo of all.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery, UUIDField
from django.urls import reverse

from cityhall.core.models import StoredFile

from .models import Photo, ServiceRequest

__all__ = ["thumbnail_url", "with_first_photo"]


def with_first_photo(
    qs: QuerySet[ServiceRequest], *, public_only: bool
) -> QuerySet[ServiceRequest]:
    """``qs`` with ``first_photo`` (the stored file's id, or None) on every request."""
    photos = Photo.objects.filter(request=OuterRef("pk")).exclude(kind=Photo.Kind.COMMENT)
    if public_only:
        photos = photos.filter(stored__visibility=StoredFile.Visibility.PUBLIC)
    first = photos.order_by("created_at", "pk").values("stored_id")[:1]
    return qs.annotate(first_photo=Subquery(first, output_field=UUIDField()))


def thumbnail_url(stored_id) -> str:
    """The list's address of a photo's thumbnail (a neutral picture until it is made)."""
    return reverse("files:thumbnail", args=[stored_id]) + "?placeholder=1"
