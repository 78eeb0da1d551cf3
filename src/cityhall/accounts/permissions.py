"""Server-side permission checks: the domain's 403 for services and the API, and decorators
for staff pages.

Staff pages use :func:`staff_required`: a visitor who is not signed in goes to the sign-in page,
a staff session that has not passed the second factor goes to the code page (when
``settings.STAFF_REQUIRE_OTP``), and anyone without one of the roles gets 403. The API needs no
decorator: :func:`cityhall.accounts.selectors.has_role` refuses such sessions, while bearer
tokens are exempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.errors import Forbidden

from .models import Organisation, Role, User
from .selectors import has_role, session_lacks_second_factor

__all__ = ["otp_required", "require_role", "staff_required"]


def require_role(
    user: User, role: str | Iterable[str], organisation: Organisation | None = None
) -> None:
    if not has_role(user, role, organisation):
        raise Forbidden(_("You do not have the role needed for this action."))


def _second_factor_redirect(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('accounts:second_factor')}?{query}")


def staff_required(roles: str | Iterable[str] | None = None) -> Callable:
    """Decorate a staff page: signed in, second factor passed, and (if given) one of ``roles``
    in some organisation. Finer checks (which organisation) stay in the view or service."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if session_lacks_second_factor(user):
                return _second_factor_redirect(request)
            if roles is not None and not has_role(user, roles):
                # Say which role the page needs, so the person knows whom to ask.
                wanted = [roles] if isinstance(roles, str) else list(roles)
                names = []
                for role in wanted:
                    try:
                        names.append(str(Role(role).label))
                    except ValueError:
                        names.append(str(role))
                raise PermissionDenied(
                    _("This page is for people with the role %(roles)s; you do not have it.")
                    % {"roles": ", ".join(names)}
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


#: A page for any signed-in person that staff may open only after the second factor.
otp_required = staff_required(None)
