"""How the API knows its caller: the browser session (with CSRF) or
``Authorization: Bearer <token>`` (``cityhall create_api_token USERNAME``, or the person's
token page), limited by the token's scopes: ``read`` for GET, ``submit`` for other methods,
``staff`` for anything a staff role allows.

Below every app's ``api.py``: the apps take ``AUTH`` and ``OptionalAuth`` from here, and
``cityhall.api`` (which mounts their routers) gives ``AUTH`` to the NinjaAPI, so no app imports
the module that imports it back.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from cityhall.core.errors import Forbidden

from .models import ApiToken
from .tokens import user_for_token

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _check_scope(request: HttpRequest, user) -> None:
    """Reads need the token's ``read`` scope, everything else ``submit``; staff work needs
    ``staff``, which ``user_for_token`` enforces by leaving the holder without staff roles."""
    needed = ApiToken.Scope.READ if request.method in READING_METHODS else ApiToken.Scope.SUBMIT
    if needed not in user.token_scopes:
        raise Forbidden(
            _("This API token does not have the “%(scope)s” scope.") % {"scope": needed}
        )


__all__ = ["AUTH", "BearerToken", "BrowserSession", "OptionalAuth", "bearer", "session"]


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            _check_scope(request, user)
            request.user = user
        return user


class OptionalAuth:
    """For public reads: identifies the caller when possible, never refuses."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is not None:
                _check_scope(request, user)
                request.user = user
                return user
            return None
        return getattr(request, "user", None) or True


class BrowserSession(SessionAuth):
    """The signed-in browser, with its CSRF check. A call without the session cookie cannot be
    a signed-in browser, so it is not checked for CSRF: it is simply not authenticated here
    (an anonymous or bad-token call then gets 401, not a CSRF 403)."""

    def _get_key(self, request: HttpRequest):
        from django.conf import settings

        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)


bearer = BearerToken()
session = BrowserSession()
AUTH = [bearer, session]
