"""The HTTP API: one NinjaAPI at /api/v1/; each app adds its router here.

Authentication: the browser session (with CSRF) or ``Authorization: Bearer <token>``
(``cityhall create_api_token USERNAME``). Every error is ``{"detail": ..., "code": ...}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from cityhall.accounts.tokens import user_for_token
from cityhall.core.errors import DomainError
from cityhall.core.parsing import CleanParser


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """For public reads: identifies the caller when possible, never refuses."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = user_for_token(header[7:].strip())
            if user is not None:
                request.user = user
                return user
            return None
        return getattr(request, "user", None) or True


bearer = BearerToken()
session = SessionAuth()
AUTH = [bearer, session]

api = NinjaAPI(
    title="cityhall API",
    version="1",
    description=(
        "Public e-discussions, resident requests and municipal services of one city. "
        "Errors are JSON objects with `detail` and `code`."
    ),
    urls_namespace="api",
    auth=AUTH,
    parser=CleanParser(),
)


def _error(request: HttpRequest, status: int, detail, code: str, **extra):
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        fields.setdefault(".".join(loc) or "__all__", []).append(err.get("msg", ""))
    return _error(request, 422, _("Please correct the errors below."), "invalid", fields=fields)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(request, 401, _("Authentication required."), "unauthorized")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, _("Not found."), "not_found")


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _error(request, 403, _("You do not have permission to do this."), "forbidden")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    return _error(request, exc.status_code, str(exc), "error")


def _mount_routers() -> None:
    from cityhall.accounts.api import router as accounts_router
    from cityhall.core.api import router as receipts_router
    from cityhall.discussions.api import router as discussions_router
    from cityhall.geo.api import router as geo_router
    from cityhall.municipal_services.api import applications_router as applications_router
    from cityhall.municipal_services.api import router as services_router
    from cityhall.notifications.api import router as notifications_router
    from cityhall.portal.api import router as support_router
    from cityhall.service_requests.api import router as requests_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/discussions", discussions_router)
    api.add_router("/requests", requests_router)
    api.add_router("/services", services_router)
    api.add_router("/applications", applications_router)
    api.add_router("/geo", geo_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/support", support_router)
    api.add_router("/receipts", receipts_router)


_mount_routers()
