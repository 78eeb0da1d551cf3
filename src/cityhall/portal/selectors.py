"""Reading support tickets: the support desk's list and counts, and a person's own tickets."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from cityhall.accounts.models import User
from cityhall.core.errors import NotFound

from .models import SupportTicket

__all__ = ["desk_tickets", "status_counts", "ticket_by_number", "tickets_of"]


def desk_tickets(*, status: str = "", q: str = "") -> QuerySet[SupportTicket]:
    """The support desk's list, oldest waiting first among open tickets; newest first when a
    status is chosen. ``q`` finds a number, a name, an e-mail or words of the message."""
    qs = SupportTicket.objects.select_related("author", "answered_by")
    if status in SupportTicket.Status.values:
        qs = qs.filter(status=status).order_by("-created_at")
    else:
        waiting = (SupportTicket.Status.NEW, SupportTicket.Status.IN_PROGRESS)
        qs = qs.filter(status__in=waiting).order_by("created_at")
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(name__icontains=q)
            | Q(email__icontains=q)
            | Q(message__icontains=q)
        )
    return qs


def status_counts() -> dict[str, int]:
    rows = SupportTicket.objects.values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in SupportTicket.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def ticket_by_number(number: str) -> SupportTicket:
    ticket = (
        SupportTicket.objects.select_related("author", "answered_by").filter(number=number).first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def tickets_of(user: User) -> QuerySet[SupportTicket]:
    """The tickets a signed-in person sent (those sent signed out have no author)."""
    return SupportTicket.objects.filter(author=user).order_by("-created_at")
