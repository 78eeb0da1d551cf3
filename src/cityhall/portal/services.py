"""Portal actions: the feedback / technical-support form and the support desk that answers it."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts import throttle
from cityhall.accounts.models import Role, User
from cityhall.accounts.selectors import has_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.core.numbering import next_value
from cityhall.core.text import clean_text
from cityhall.notifications.services import notify, notify_address

from .models import SupportTicket

__all__ = [
    "ANSWER_MAX_LENGTH",
    "SUPPORT_DESK_ROLES",
    "answer_support_ticket",
    "close_support_ticket",
    "submit_support_ticket",
]

#: Who works the support desk: the portal's administrators (the people told of each new
#: ticket). Superusers hold every role.
SUPPORT_DESK_ROLES = (Role.ADMINISTRATOR,)
ANSWER_MAX_LENGTH = 5000

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
            language=(translation.get_language() or "")[:10],
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


def _desk_ticket(actor: User, ticket_id: int) -> SupportTicket:
    """The ticket, locked, if ``actor`` works the support desk (403 otherwise)."""
    if not has_role(actor, SUPPORT_DESK_ROLES):
        raise Forbidden(_("Only the portal's administrators answer support tickets."))
    ticket = SupportTicket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound(_("This support ticket does not exist."))
    return ticket


def answer_support_ticket(*, actor: User, ticket_id: int, answer: str) -> SupportTicket:
    """An administrator answers a ticket on the support desk (never in /admin/).

    Who is told: the answer goes by e-mail to the address the person gave in the ticket (the
    feedback page promises it), in the language of the page they wrote from; an author who was
    signed in also finds it in the cabinet (their cabinet notification and "My support
    tickets"). A ticket may be answered again (a correction or a follow-up): each answer is sent
    and audited, the ticket shows the latest. A closed ticket is not answered."""
    text = clean_text(answer or "").strip()
    if not text:
        raise InvalidInput(fields={"answer": [_("Write the answer.")]})
    if len(text) > ANSWER_MAX_LENGTH:
        raise InvalidInput(
            fields={
                "answer": [
                    _("Keep the answer under %(limit)d characters.") % {"limit": ANSWER_MAX_LENGTH}
                ]
            }
        )
    with transaction.atomic():
        ticket = _desk_ticket(actor, ticket_id)
        if ticket.status == SupportTicket.Status.CLOSED:
            raise Conflict(_("This ticket is closed; it cannot be answered."))
        before = audit.snapshot(ticket, ["status", "answer"])
        ticket.answer = text
        ticket.status = SupportTicket.Status.ANSWERED
        ticket.answered_at = timezone.now()
        ticket.answered_by = actor
        ticket.save(update_fields=["answer", "status", "answered_at", "answered_by", "updated_at"])
        audit.record(
            actor=actor,
            action="support_ticket.answered",
            target=ticket,
            before=before,
            after=audit.snapshot(ticket, ["number", "status", "answer"]),
        )
        author = ticket.author if ticket.author and ticket.author.is_active else None
        context = {
            "number": ticket.number,
            "message": ticket.message,
            "answer": text,
            # Only an author with an account has a cabinet to find the answer in.
            "url": reverse("portal:my_ticket", args=[ticket.number]) if author else "",
        }
        if author is not None:
            notify(
                recipient=author,
                event="support_ticket.answered",
                context=context,
                channels=["cabinet"],
            )
        notify_address(
            email=ticket.email,
            event="support_ticket.answered",
            context=context,
            language=(author.preferred_language if author else "") or ticket.language or "ru",
        )
    return ticket


def close_support_ticket(*, actor: User, ticket_id: int) -> SupportTicket:
    """An administrator closes a ticket that needs nothing more (answered, a repeat, spam).
    Nobody is told; the closing is audited."""
    with transaction.atomic():
        ticket = _desk_ticket(actor, ticket_id)
        if ticket.status == SupportTicket.Status.CLOSED:
            return ticket
        before = audit.snapshot(ticket, ["status"])
        ticket.status = SupportTicket.Status.CLOSED
        ticket.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action="support_ticket.closed",
            target=ticket,
            before=before,
            after=audit.snapshot(ticket, ["number", "status"]),
        )
    return ticket
