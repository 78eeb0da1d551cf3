"""Errors as API answers: every error is ``{"detail": ..., "code": ...}`` with its status.

A ``DomainError`` keeps its own status, message and fields (``DomainError.as_dict``); ninja's
validation errors become ``422 invalid`` with the messages per field; authentication,
``Http404``, ``PermissionDenied`` and ninja's ``HttpError`` get a fixed message each. Pages turn
domain errors into pages instead (``core.middleware.DomainErrorMiddleware``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from .errors import DomainError

__all__ = ["add_error_handlers"]


def add_error_handlers(api: NinjaAPI) -> None:
    """Register the error-to-response mapping on ``api`` (``cityhall.api`` calls it once)."""

    def _error(request: HttpRequest, status: int, detail, code: str, **extra):
        return api.create_response(
            request, {"detail": detail, "code": code, **extra}, status=status
        )

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = [
                str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")
            ]
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
