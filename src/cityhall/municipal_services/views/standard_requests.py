"""Standard interdepartmental requests, for the addressee department: the list and the
accept / answer / reject actions."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError, Forbidden, InvalidInput

from .. import selectors, services
from ..models import StandardRequest
from .common import PAGE_SIZE, domain_errors


@staff_required(services.REQUEST_HANDLERS)
def requests_desk(request):
    departments = selectors.staff_departments(request.user)
    rows = (
        StandardRequest.objects.filter(addressee__in=departments)
        .select_related("type", "application", "application__service", "addressee", "answer_stored")
        .order_by("status", "due_at")
    )
    status = request.GET.get("status", "")
    if status in StandardRequest.Status.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "municipal_services/requests.html",
        {
            "rows": rows[:PAGE_SIZE],
            "status": status,
            "statuses": StandardRequest.Status.choices,
            "report": selectors.standard_requests_report(),
        },
    )


@staff_required(services.REQUEST_HANDLERS)
@require_POST
@domain_errors
def request_act(request, pk):
    item = get_object_or_404(StandardRequest, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "accept":
            services.accept_standard_request(request=item, actor=request.user)
        elif action == "answer":
            services.answer_standard_request(
                request=item,
                actor=request.user,
                answer=request.POST.get("answer", ""),
                document=request.FILES.get("document"),
            )
        elif action == "reject":
            services.reject_standard_request(
                request=item, actor=request.user, reason=request.POST.get("reason", "")
            )
        else:
            raise Http404
    except (InvalidInput, DomainError) as exc:
        if isinstance(exc, Forbidden):
            raise
        messages.error(
            request, " ".join([str(exc.message)] + [m for v in exc.fields.values() for m in v])
        )
    else:
        messages.success(request, _("Done."))
    return redirect("municipal_services:requests_desk")
