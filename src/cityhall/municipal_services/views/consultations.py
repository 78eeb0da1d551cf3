"""Consultations: the department's staff log questions answered by phone or in person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from cityhall.accounts.models import Organisation
from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import Forbidden, InvalidInput

from .. import selectors, services
from ..models import Consultation
from .common import PAGE_SIZE, STAFF, int_or_zero


@staff_required(STAFF)
def consultations(request):
    departments = selectors.staff_departments(request.user)
    errors: dict = {}
    if request.method == "POST":
        from ..models import Service

        try:
            services.log_consultation(
                actor=request.user,
                department=get_object_or_404(
                    Organisation, pk=int_or_zero(request.POST.get("department"))
                ),
                service=Service.objects.filter(pk=int_or_zero(request.POST.get("service"))).first(),
                question=request.POST.get("question", ""),
                answer=request.POST.get("answer", ""),
                channel=request.POST.get("channel", "phone"),
            )
        except InvalidInput as exc:
            errors = exc.fields
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        else:
            messages.success(request, _("The consultation has been logged."))
            return redirect("municipal_services:consultations")
    from ..models import Service

    rows = Consultation.objects.filter(department__in=departments).select_related(
        "service", "staff", "department"
    )
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(question__icontains=q)
    return render(
        request,
        "municipal_services/consultations.html",
        {
            "rows": rows[:PAGE_SIZE],
            "departments": departments,
            "errors": errors,
            "q": q,
            "services": Service.objects.filter(department__in=departments).order_by("code"),
            "post": request.POST,
        },
        status=422 if errors else 200,
    )
