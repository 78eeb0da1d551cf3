"""Domain errors. Services raise these; pages and the API turn them into a 4xx with the message.

Each carries a translatable message, a stable machine ``code`` and, for bad input, the errors
per field, so that the API answers ``{"detail": ..., "code": ..., "fields": {...}}`` and a page
shows the message beside the field.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status = 400
    code = "invalid_action"
    default_message = _("This action is not allowed.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        data: dict = {"detail": str(self.message), "code": self.code}
        if self.fields:
            data["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        return data


class InvalidInput(DomainError):
    status = 422
    code = "invalid"
    default_message = _("Please correct the errors below.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You do not have permission to do this.")


class Conflict(DomainError):
    """Somebody else changed the object first (optimistic or row-lock conflict)."""

    status = 409
    code = "conflict"
    default_message = _("Someone else changed this first. Reload and try again.")


class TooManyRequests(DomainError):
    """The same client did this too often in a short time; it may try again later."""

    status = 429
    code = "too_many_requests"
    default_message = _("Too many attempts. Please try again in a few minutes.")
