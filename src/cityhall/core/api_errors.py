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

__all__ = ["DocumentedErrorsAPI", "add_error_handlers", "document_errors"]

#: What each error status means in this API (the OpenAPI document lists them per operation).
ERROR_STATUSES = {
    "400": "The body could not be read (not JSON, or not UTF-8).",
    "401": "Authentication required: no or an unknown token.",
    "403": "Not allowed for this caller.",
    "404": "No such object.",
    "409": "In conflict with the object's current state (changed meanwhile, a repeat).",
    "422": "Invalid input: `fields` names each field and its problems.",
}
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "code"],
}


def document_errors(schema: dict) -> dict:
    """Add the error answers every operation can give to the OpenAPI document: 401 where it
    needs authentication, 403 and 409 where it needs authentication or changes state, 404 and
    422 where it takes a path, parameters or a body (which may name an object)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = []
            secured = bool(operation.get("security"))
            writes = method in ("post", "put", "patch", "delete")
            if secured:
                codes.append("401")
            if secured or writes:
                codes += ["403", "409"]
            if operation.get("requestBody"):
                codes.append("400")
            if "{" in path or operation.get("parameters") or operation.get("requestBody") or writes:
                codes += ["404", "422"]  # an object named in the path, a parameter or the body
            for code in codes:
                operation["responses"].setdefault(
                    code, {"description": ERROR_STATUSES[code], "content": reference}
                )
    return schema


class DocumentedErrorsAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also lists the error answers
    (:func:`document_errors`)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document_errors(schema)


def add_error_handlers(api: NinjaAPI) -> None:
    """Register the error-to-response mapping on ``api`` (``cityhall.api`` calls it once)."""

    def _error(request: HttpRequest, status: int, detail, code: str, **extra):
        return api.create_response(
            request, {"detail": detail, "code": code, **extra}, status=status
        )

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        response = api.create_response(request, exc.as_dict(), status=exc.status)
        if getattr(exc, "retry_after", None):  # 503/429: when to try again
            response["Retry-After"] = str(exc.retry_after)
        return response

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
