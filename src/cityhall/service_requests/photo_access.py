"""Who sees a request's photo: the rule the file service asks before serving one
(declared in ``AppConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from cityhall.core.file_purposes import Purpose
from cityhall.core.models import StoredFile

from .models import Photo
from .services.photos import MAX_PHOTO_BYTES, PURPOSE

__all__ = ["can_view", "declare_purpose"]


def can_view(user: Any, stored_file: StoredFile) -> bool:
    """A request's photo is seen by everyone when marked public, otherwise by its author, the
    people handling the request (the dispatcher, the organisation it is routed to) and the
    call centre, who read any request to answer callers."""
    from cityhall.accounts.models import Role
    from cityhall.accounts.selectors import has_role

    from .services.workflow import AUTHOR, DISPATCHER, ORGANISATION, roles_on

    if stored_file.visibility == StoredFile.Visibility.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    photo = Photo.objects.select_related("request").filter(stored_id=stored_file.pk).first()
    if photo is None:
        return stored_file.owner_id == user.pk
    if roles_on(user, photo.request) & {AUTHOR, DISPATCHER, ORGANISATION}:
        return True
    return has_role(user, Role.OPERATOR)


def declare_purpose() -> Purpose:
    return Purpose(
        code=PURPOSE,
        kinds=("image",),
        max_bytes=MAX_PHOTO_BYTES,
        folder="requests/%Y/%m",
        can_view=can_view,
    )
