"""Open311 ``media_url``: the photo a client names by its address instead of sending it.

At the door only the address's form is checked (:func:`check_media_url`: http or https, a
host, a sane length); registration then starts a background job after commit that fetches it
within bounds (``core.remote_media``: public hosts only, a few redirects, time and size
limits), checks it like any uploaded photo and attaches it to the request
(:func:`attach_photo_from_url`). A refused or unreachable file leaves the request as it was and
is written to the audit chain with the reason.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import InvalidInput
from cityhall.core.remote_media import fetch

from ..models import Photo, ServiceRequest
from .photos import MAX_PHOTO_BYTES, check_photos, save_photos

__all__ = ["MAX_MEDIA_URL", "attach_photo_from_url", "check_media_url"]

log = logging.getLogger(__name__)

MAX_MEDIA_URL = 2000


def check_media_url(url: str) -> str:
    """The address, stripped, if it can be fetched at all; ``InvalidInput`` otherwise."""
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > MAX_MEDIA_URL or parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidInput(
            fields={"media_url": [_("media_url must be an http or https address of a photo.")]}
        )
    return url


def attach_photo_from_url(*, request_id: int, url: str, public: bool = False) -> bool:
    """Fetch, check and attach the photo at ``url`` (True: attached), shown to everyone when
    ``public``. The actor is the system, on behalf of the Open311 client that sent the
    request."""
    service_request = ServiceRequest.objects.filter(pk=request_id).first()
    if service_request is None:
        return False
    reason = ""
    try:
        fetched = fetch(url, max_bytes=MAX_PHOTO_BYTES)
        checked, errors = check_photos([fetched], field="media_url")
        if errors:
            reason = "; ".join(errors["media_url"])
    except InvalidInput as refused:
        checked, reason = [], str(refused.message)
    with transaction.atomic():
        if checked:
            save_photos(service_request, checked, kind=Photo.Kind.INTAKE, by=None, public=public)
        audit.record(
            actor=None,
            action="request.media_url_fetched" if checked else "request.media_url_refused",
            target=service_request,
            after={"media_url": url[:MAX_MEDIA_URL], "reason": reason},
        )
    if not checked:
        log.warning("media_url of request %s refused: %s", service_request.pk, reason)
    return bool(checked)
