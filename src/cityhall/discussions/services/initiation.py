"""Initiation: someone asks the organiser to hold a discussion; the organiser accepts or
refuses with a reason (and the initiator is told either way).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput
from cityhall.notifications.services import notify

from .. import events
from ..models import DocumentType, InitiationRequest
from .lifecycle import require_organiser

__all__ = ["decide_initiation", "request_initiation"]


def request_initiation(
    *,
    initiator: Any,
    initiator_kind: str,
    organiser: Organisation,
    document_type: DocumentType,
    title: str,
    description: str,
    territory_description: str = "",
) -> InitiationRequest:
    """A resident, business, land owner or authority asks the organiser to hold a discussion."""
    errors = {}
    if not title.strip():
        errors["title"] = [_("State what the discussion should be about.")]
    if not description.strip():
        errors["description"] = [_("Describe the project.")]
    if initiator_kind not in InitiationRequest.InitiatorKind.values:
        errors["initiator_kind"] = [_("Choose who you are.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        request = InitiationRequest.objects.create(
            initiator=initiator,
            initiator_kind=initiator_kind,
            organiser=organiser,
            document_type=document_type,
            title=title.strip(),
            description=description.strip(),
            territory_description=territory_description.strip(),
        )
        audit.record(actor=initiator, action="discussions.initiation_requested", target=request)
    return request


def decide_initiation(
    *, actor: Any, request: InitiationRequest, accept: bool, reason: str = ""
) -> InitiationRequest:
    """The organiser accepts (then creates the discussion from it) or refuses with a reason."""
    with transaction.atomic():
        locked = InitiationRequest.objects.select_for_update().get(pk=request.pk)
        require_organiser(actor, locked.organiser)
        if locked.state != InitiationRequest.State.PENDING:
            raise Conflict(_("This request has already been decided."))
        if not accept and not reason.strip():
            raise InvalidInput(fields={"reason": [_("Give the reason for refusing.")]})
        locked.state = (
            InitiationRequest.State.ACCEPTED if accept else InitiationRequest.State.REFUSED
        )
        locked.refusal_reason = "" if accept else reason.strip()
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "refusal_reason", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="discussions.initiation_decided",
            target=locked,
            after={"state": locked.state, "reason": locked.refusal_reason},
        )
        notify(
            recipient=locked.initiator,
            event=events.INITIATION_DECIDED,
            context={
                "title": locked.title,
                "decision": InitiationRequest.State(locked.state).label,  # the reader's language
                "reason": locked.refusal_reason,
            },
        )
    return locked
