"""Server-side permission checks that raise the domain's 403."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cityhall.core.errors import Forbidden

from .models import Organisation, User
from .selectors import has_role


def require_role(
    user: User, role: str | Iterable[str], organisation: Organisation | None = None
) -> None:
    if not has_role(user, role, organisation):
        raise Forbidden(_("You do not have the role needed for this action."))
