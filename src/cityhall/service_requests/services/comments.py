"""Comments on a request: messages between its author and the people handling it (the
organisation, the dispatchers), with photos; the other side is told.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import User
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from .. import notices
from ..models import (
    Comment,
    Photo,
    ServiceRequest,
)
from .photos import check_photos, save_photos
from .workflow import AUTHOR, DISPATCHER, ORGANISATION, authors_following, roles_on

__all__ = [
    "add_comment",
]


def add_comment(
    *,
    request: ServiceRequest,
    author: User,
    text: str,
    photos: Sequence[UploadedFile] = (),
) -> Comment:
    """A message between the resident and the people working on the request."""
    text = (text or "").strip()
    checked, errors = check_photos(list(photos))
    if not text:
        errors["text"] = [_("Write a message.")]
    if errors:
        raise InvalidInput(fields=errors)
    parts = roles_on(author, request)
    if not parts & {AUTHOR, ORGANISATION, DISPATCHER}:
        raise Forbidden(_("Only the author and the people handling a request may write here."))
    staff_side = bool(parts & {ORGANISATION, DISPATCHER})
    with transaction.atomic():
        comment = Comment.objects.create(
            request=request, author=author, text=text[:5000], is_staff=staff_side
        )
        if checked:
            save_photos(request, checked, kind=Photo.Kind.COMMENT, by=author, comment=comment)
        audit.record(actor=author, action="service_requests.commented", target=request)
        context = {"text": text[:1000]}
        if staff_side:
            notices.tell_applicants(
                authors_following(request), event=notices.COMMENTED, context=context
            )
        elif request.executor_id is not None:
            from cityhall.notifications.services import notify

            notify(
                recipient=request.executor,
                event=notices.COMMENTED,
                context={
                    "number": request.number,
                    "url": notices.staff_url(request),
                    **context,
                },
            )
    return comment
