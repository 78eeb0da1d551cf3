"""Portal API: feedback / technical-support tickets from apps and integrations.

Thin: parses the body and calls :func:`cityhall.portal.services.submit_support_ticket`, the
same action as the feedback page. Signed-in callers (token or session) only; anonymous people
use the page, which has its own CSRF protection.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cityhall.accounts.throttle import client_address
from cityhall.core.errors import InvalidInput

from . import services

router = Router(tags=["support"])


class SupportTicketIn(Schema):
    topic: str
    message: str
    name: str = ""
    email: str = ""
    page_url: str = ""


class SupportTicketOut(Schema):
    number: str
    topic: str
    status: str
    created_at: datetime


@router.post(
    "/tickets",
    response={201: SupportTicketOut},
    summary="Write to the portal's administrators; returns the ticket number",
    description="Rate-limited per client address and per person: 429 with "
    '`{"detail", "code": "rate_limited"}` beyond the limit.',
)
def submit_ticket(request, payload: SupportTicketIn):
    user = request.user
    name = payload.name.strip() or str(user)
    email = payload.email.strip() or (user.email or "")
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(fields={"email": [_("Enter a valid e-mail address.")]}) from None
    ticket = services.submit_support_ticket(
        author=user,
        name=name,
        email=email,
        topic=payload.topic,
        message=payload.message,
        page_url=payload.page_url,
        client_address=client_address(request),
    )
    return Status(201, ticket)
