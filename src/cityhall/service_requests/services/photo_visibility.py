"""Who may see a request's photo after it was sent: staff show it to everyone or keep it to the
case (its author and the people handling the request).

The resident chooses when sending (private by default; ``photos_public`` of intake). Staff who
moderate what the public reads of a request (:func:`.moderation.may_moderate`: the committee's
dispatchers, the responsible organisation's head and dispatchers) may change it later — a
photo showing a face or a car number made private, a telling photo of a public problem shown.
Photos of messages stay private: messages are never public. Every change is audited.

A photo made private is refused to others at once, but browsers and proxies may keep a copy
they fetched while it was public (public files are cached for a year).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput, NotFound
from cityhall.core.models import StoredFile

from ..models import Photo, ServiceRequest
from .moderation import may_moderate
from .workflow import lock_request

__all__ = ["may_change_photo_visibility", "set_photo_visibility"]


def may_change_photo_visibility(actor: User | None, request: ServiceRequest) -> bool:
    """The rule: whoever may moderate the request's public description."""
    return may_moderate(actor, request)


def set_photo_visibility(
    *, photo: Photo | int, actor: User, public: bool, reason: str = ""
) -> Photo:
    """Show ``photo`` to everyone (``public``) or only to its author and the people handling
    the request; audited with ``reason``."""
    pk = photo.pk if isinstance(photo, Photo) else int(photo)
    with transaction.atomic():
        found = Photo.objects.filter(pk=pk).values_list("request_id", flat=True).first()
        if found is None:
            raise NotFound(_("There is no such photo."))
        request = lock_request(found)
        if not may_change_photo_visibility(actor, request):
            raise Forbidden(_("You may not change who sees this request's photos."))
        photo = Photo.objects.select_related("stored").get(pk=pk)
        if photo.kind == Photo.Kind.COMMENT:
            raise InvalidInput(_("Photos sent with messages stay private."))
        stored = photo.stored
        before = stored.visibility
        stored.visibility = StoredFile.Visibility.PUBLIC if public else StoredFile.Visibility.CASE
        if stored.visibility != before:
            stored.save(update_fields=["visibility"])
            audit.record(
                actor=actor,
                action="service_requests.photo_visibility",
                target=request,
                before={"photo": str(stored.pk), "visibility": before},
                after={"photo": str(stored.pk), "visibility": stored.visibility},
                message=(reason or "").strip()[:500],
            )
    return photo
