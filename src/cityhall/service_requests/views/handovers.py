"""The committee's dispatchers' list of direct handovers: which organisation may pass its
requests straight to which (issue 16.5). Every other handover goes back through the
dispatcher; see :mod:`cityhall.service_requests.services.handover`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cityhall.accounts.models import Organisation, Role
from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import DomainError

from .. import selectors, services
from .pages import error_message, int_or_none

__all__ = ["handovers"]


def _organisations() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            type__in=[
                Organisation.Type.MANAGING_ORGANISATION,
                Organisation.Type.CONTRACTOR,
                Organisation.Type.RESOURCE_SUPPLIER,
            ],
            is_active=True,
        ).order_by("name")[:500]
    )


@staff_required([Role.DISPATCHER])
@require_http_methods(["GET", "POST"])
def handovers(request):
    if not selectors.is_dispatcher(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "withdraw":
                services.withdraw_handover(
                    actor=request.user, handover=int_or_none(request.POST.get("id")) or 0
                )
                messages.success(request, _("The handover is withdrawn."))
            else:
                by_pk = {o.pk: o for o in _organisations()}
                organisation = by_pk.get(int_or_none(request.POST.get("organisation")) or 0)
                partner = by_pk.get(int_or_none(request.POST.get("partner")) or 0)
                if organisation is None or partner is None:
                    raise PermissionDenied
                services.allow_handover(
                    actor=request.user, organisation=organisation, partner=partner
                )
                messages.success(request, _("The handover is allowed."))
            return redirect("service_requests:handovers")
        except DomainError as exc:
            error_message(request, exc)
            status = exc.status
    return render(
        request,
        "service_requests/handovers.html",
        {
            "title": _("Direct handovers"),
            "rows": selectors.handover_partners(),
            "organisations": _organisations(),
        },
        status=status,
    )
