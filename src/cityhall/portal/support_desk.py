"""The support desk's pages: administrators read and answer tickets (not in /admin/), and a
signed-in author reads their tickets and the answers in the cabinet.

Thin: the role is checked by ``staff_required`` here and again by the services, which change
the ticket, audit it and send the answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError
from cityhall.core.shell import CabinetItem

from . import selectors, services
from .forms import SupportAnswerForm
from .models import SupportTicket

__all__ = ["cabinet_items", "desk", "my_ticket", "my_tickets", "ticket", "close"]

PAGE_SIZE = 50


@staff_required(services.SUPPORT_DESK_ROLES)
def desk(request):
    status = request.GET.get("status", "")
    q = request.GET.get("q", "")
    page = Paginator(selectors.desk_tickets(status=status, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = selectors.status_counts()
    return render(
        request,
        "portal/support_desk.html",
        {
            "page": page,
            "status": status if status in SupportTicket.Status.values else "",
            "q": q,
            "statuses": [(s, label, counts[s]) for s, label in SupportTicket.Status.choices],
        },
    )


@staff_required(services.SUPPORT_DESK_ROLES)
def ticket(request, number: str):
    found = selectors.ticket_by_number(number)
    form = SupportAnswerForm(request.POST or None, initial={"answer": found.answer})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_support_ticket(
                    actor=request.user, ticket_id=found.pk, answer=form.cleaned_data["answer"]
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
                for messages_ in exc.fields.values():
                    for message in messages_:
                        form.add_error(None, message)
                status = exc.status
            else:
                messages.success(
                    request, _("The answer was sent to %(email)s.") % {"email": found.email}
                )
                return redirect("portal:support_desk")
        else:
            status = 422
    return render(
        request, "portal/support_ticket.html", {"ticket": found, "form": form}, status=status
    )


@require_POST
@staff_required(services.SUPPORT_DESK_ROLES)
def close(request, number: str):
    found = selectors.ticket_by_number(number)
    services.close_support_ticket(actor=request.user, ticket_id=found.pk)
    messages.success(request, _("Ticket %(number)s is closed.") % {"number": found.number})
    return redirect("portal:support_desk")


@login_required
def my_tickets(request):
    page = Paginator(selectors.tickets_of(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/my_tickets.html", {"page": page})


@login_required
def my_ticket(request, number: str):
    found = selectors.tickets_of(request.user).filter(number=number).first()
    if found is None:
        raise Http404
    return render(request, "portal/my_ticket.html", {"ticket": found})


def cabinet_items(user) -> list[CabinetItem]:
    """The cabinet's overview: the person's latest tickets, with the answer's first words."""
    from django.urls import reverse
    from django.utils.text import Truncator

    return [
        CabinetItem(
            title=f"{t.number}: {t.get_topic_display()}",
            status=t.get_status_display(),
            url=reverse("portal:my_ticket", args=[t.number]),
            when=t.answered_at or t.created_at,
            note=Truncator(t.answer).chars(200) if t.answer else "",
        )
        for t in selectors.tickets_of(user)[:5]
    ]
