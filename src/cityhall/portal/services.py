"""Portal actions: the feedback / technical-support form."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts import throttle
from cityhall.accounts.models import Role, User
from cityhall.core import audit
from cityhall.core.errors import InvalidInput
from cityhall.core.numbering import next_value
from cityhall.notifications.services import notify

from .models import SupportTicket

__all__ = ["submit_support_ticket"]

TOO_MANY_TICKETS = gettext_lazy(
    "You have sent many messages in a short time. Try again in %(minutes)s minutes."
)


def _next_number() -> str:
    year = timezone.localdate().year
    return f"TS-{year}-{next_value(f'support-ticket-{year}'):06d}"


def submit_support_ticket(
    *,
    author: User | None,
    name: str,
    email: str,
    topic: str,
    message: str,
    page_url: str = "",
    client_address: str | None = None,
) -> SupportTicket:
    """Anyone, signed in or not, may write to the administrators; each gets a numbered ticket
    and every administrator is notified. From a client (``client_address``), tickets are
    rate-limited per address and per signed-in person (``TooManyRequests``)."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Please give your name.")]
    if not message.strip():
        errors["message"] = [_("Please describe your question or problem.")]
    if topic not in SupportTicket.Topic.values:
        errors["topic"] = [_("Choose a topic from the list.")]
    if errors:
        raise InvalidInput(fields=errors)
    if client_address is not None:  # counted outside the transaction below
        throttle.take_or_refuse(
            throttle.SUPPORT_TICKETS_BY_ADDRESS, client_address, message=TOO_MANY_TICKETS
        )
        if author is not None and author.is_authenticated:
            throttle.take_or_refuse(
                throttle.SUPPORT_TICKETS_BY_PERSON, str(author.pk), message=TOO_MANY_TICKETS
            )
    with transaction.atomic():
        ticket = SupportTicket.objects.create(
            number=_next_number(),
            author=author if author and author.is_authenticated else None,
            name=name.strip(),
            email=email.strip(),
            topic=topic,
            message=message.strip(),
            page_url=page_url[:500],
        )
        audit.record(
            actor=ticket.author,
            action="support_ticket.submitted",
            target=ticket,
            after=audit.snapshot(ticket, ["number", "topic", "status"]),
        )
        admins = User.objects.filter(
            is_active=True, memberships__role=Role.ADMINISTRATOR
        ).distinct()
        for admin in admins:
            notify(
                recipient=admin,
                event="support_ticket.submitted",
                # The topic's label is lazy: worded in each administrator's language.
                context={"number": ticket.number, "topic": SupportTicket.Topic(ticket.topic).label},
            )
    return ticket
