"""Portal pages: home, personal cabinet, staff workspace entry, feedback form."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityhall.accounts.selectors import has_role, roles_of
from cityhall.accounts.throttle import client_address
from cityhall.core.errors import DomainError
from cityhall.core.selectors import missing_regional_year
from cityhall.core.shell import sections

from . import services
from .forms import SupportTicketForm
from .models import SupportTicket
from .workspace import entries_for


def home(request):
    return render(request, "portal/home.html")


@login_required
def cabinet(request):
    blocks = []
    for section in sections():
        blocks.append({"section": section, "items": section.items(request.user)})
    return render(request, "portal/cabinet.html", {"blocks": blocks})


@login_required
def staff_workspace(request):
    entries = entries_for(request.user)
    if not entries and not request.user.is_superuser and not roles_of(request.user):
        return render(request, "portal/forbidden.html", status=403)
    # In December, administrators are told when next year's regional days off are missing
    # from the business calendar (terms would end a day early on each of them).
    missing_year = missing_regional_year() if has_role(request.user, "administrator") else None
    return render(
        request,
        "portal/workspace.html",
        {"entries": entries, "missing_calendar_year": missing_year},
    )


def feedback(request):
    user = request.user if request.user.is_authenticated else None
    initial = {"page_url": request.GET.get("from", "")}
    if request.GET.get("topic") in SupportTicket.Topic.values:  # e.g. from the accessibility page
        initial["topic"] = request.GET["topic"]
    if user:
        initial.update(name=str(user), email=user.email or "")
    form = SupportTicketForm(request.POST or None, initial=initial)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.submit_support_ticket(
                author=user, client_address=client_address(request), **form.cleaned_data
            )
        except DomainError as exc:
            status = exc.status
            for field, messages in exc.fields.items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
            if not exc.fields:
                form.add_error(None, str(exc.message))
        else:
            request.session["last_ticket"] = ticket.number
            return redirect("portal:feedback_sent")
    status = status if form.errors else 200
    return render(request, "portal/feedback.html", {"form": form}, status=status)


def feedback_sent(request):
    number = request.session.get("last_ticket")
    if not number:
        return redirect("portal:feedback")
    return render(
        request,
        "portal/feedback_sent.html",
        {"number": number, "title": _("Your message has been sent")},
    )
