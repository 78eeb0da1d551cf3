""" "This is my problem too": a resident who finds their problem already reported follows that
request instead of filing a duplicate (the Signalen/FixMyStreet way). A follower is told each
status change, as the author is; the call centre registers a caller as a follower by the phone
or e-mail they give. Following is audited and never public (the public page shows a count).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cityhall.accounts.models import Role, User
from cityhall.accounts.phones import normalise_phone
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Forbidden, InvalidInput

from ..models import OPEN_STATUSES, Follower, ServiceRequest
from .workflow import lock_request

__all__ = ["follow_request", "FollowOutcome"]


class FollowOutcome:
    """What following did: ``created`` False when the person already followed (or wrote) it."""

    def __init__(self, request: ServiceRequest, created: bool, own: bool = False) -> None:
        self.request, self.created, self.own = request, created, own


def follow_request(
    *,
    request: ServiceRequest | int,
    actor: User,
    for_caller: bool = False,
    contact_phone: str = "",
    contact_email: str = "",
) -> FollowOutcome:
    """Add the resident (``actor``) — or, ``for_caller``, the caller whose phone or e-mail a
    call-centre operator (``actor``) gives — to the people told about an open request.

    Rules: only an open request is followed (a closed one is not "the same problem" any more:
    report it anew); the author already hears of their own request; following twice is
    harmless (no second row)."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Sign in to follow a request."))
    on_behalf = for_caller
    if on_behalf and not has_role(actor, Role.OPERATOR):
        raise Forbidden(_("Only the call centre registers a caller as a follower."))
    if on_behalf and not (contact_phone.strip() or contact_email.strip()):
        raise InvalidInput(
            fields={"contact_phone": [_("Give the caller's phone or e-mail to tell them.")]}
        )
    phone = (normalise_phone(contact_phone) or contact_phone.strip()) if contact_phone else ""
    email = contact_email.strip()[:254]
    with transaction.atomic():
        req = lock_request(request)
        if req.status not in OPEN_STATUSES:
            raise InvalidInput(_("This request is closed: if the problem is back, report it anew."))
        caller = User.objects.filter(phone=phone).first() if on_behalf and phone else None
        person = caller if on_behalf else actor
        if person is not None and req.author_id == person.pk:
            return FollowOutcome(req, created=False, own=True)
        if on_behalf and caller is None and phone and req.contact_phone == phone:
            return FollowOutcome(req, created=False, own=True)
        existing = Follower.objects.filter(request=req)
        if person is not None:
            existing = existing.filter(user=person)
        elif phone:
            existing = existing.filter(user__isnull=True, contact_phone=phone)
        else:
            existing = existing.filter(user__isnull=True, contact_email=email)
        if existing.exists():
            return FollowOutcome(req, created=False)
        try:
            with transaction.atomic():
                follower = Follower.objects.create(
                    request=req,
                    user=person,
                    contact_phone="" if person else phone[:30],
                    contact_email="" if person else email,
                    entered_by=actor if on_behalf else None,
                )
        except IntegrityError:  # the same person at the same moment, in another tab
            return FollowOutcome(req, created=False)
        audit.record(
            actor=actor,
            action="service_requests.followed",
            target=req,
            after={"follower": follower.pk, "on_behalf": on_behalf},
        )
    return FollowOutcome(req, created=True)
