"""Moderating a request's public description, the FixMyStreet way (issue 16.11).

A resident may keep the description private when reporting; otherwise it is published as
typed. Staff may then hide the public description or replace it with a redacted text (a flat
number, a name, a phone taken out), and undo either. The description as the resident typed it
is never edited: the people handling the request keep reading it. Every moderation is
permission-checked here and audited with the reason.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import ServiceRequest
from ..selectors import committee
from .workflow import lock_request

__all__ = [
    "MODERATION_ACTIONS",
    "may_moderate",
    "moderate_description",
]

#: show: publish as typed (undo); redact: publish the redacted text; hide: publish nothing.
MODERATION_ACTIONS = ("show", "redact", "hide")

FIELDS = ["description_hidden", "description_redacted"]


def may_moderate(actor: User | None, request: ServiceRequest) -> bool:
    """The rule: the committee's dispatchers moderate every request; the head and the
    dispatchers of the organisation responsible for a request moderate that request."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if has_role(actor, Role.DISPATCHER, committee()):
        return True
    organisation = request.organisation
    if organisation is None:
        return False
    return organisation.head_id == actor.pk or has_role(actor, Role.DISPATCHER, organisation)


def moderate_description(
    *,
    request: ServiceRequest | int,
    actor: User,
    action: str,
    reason: str,
    redacted: str = "",
) -> ServiceRequest:
    """Hide, redact or restore the public description of ``request`` (audited with
    ``reason``)."""
    reason = (reason or "").strip()
    redacted = (redacted or "").strip()
    with transaction.atomic():
        req = lock_request(request)
        if not may_moderate(actor, req):
            raise Forbidden(_("You may not moderate this request's description."))
        fields: dict[str, list[str]] = {}
        if action not in MODERATION_ACTIONS:
            fields["action"] = [_("Choose how the description is published.")]
        if not reason:
            fields["reason"] = [_("Give the reason.")]
        if action == "redact" and not redacted:
            fields["redacted"] = [_("Enter the text to publish instead.")]
        elif action == "redact" and len(redacted) > 5000:
            fields["redacted"] = [_("Keep the description under 5000 characters.")]
        if fields:
            raise InvalidInput(fields=fields)
        before = audit.snapshot(req, FIELDS)
        req.description_hidden = action == "hide"
        req.description_redacted = redacted if action == "redact" else ""
        req.updated_at = timezone.now()
        req.save(update_fields=[*FIELDS, "updated_at"])
        audit.record(
            actor=actor,
            action=f"service_requests.description_{action}",
            target=req,
            before=before,
            after=audit.snapshot(req, FIELDS),
            message=reason,
        )
    return req
