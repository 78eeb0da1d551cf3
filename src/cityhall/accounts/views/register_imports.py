"""The administrators' pages of verification registers (``/accounts/verify/registers/``): upload a
register file, follow its progress, read the report of what matched."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cityhall.core.errors import DomainError

from .. import selectors, services
from ..forms import RegisterImportForm
from ..models import RegisterEntry, RegisterImport, Role
from ..permissions import staff_required
from .form_errors import show_domain_error

__all__ = ["register_import_detail", "register_imports"]

#: Rows listed on the report page per outcome (the counts are always complete).
REPORT_ROWS = 200


@staff_required(Role.ADMINISTRATOR)
def register_imports(request: HttpRequest) -> HttpResponse:
    if not selectors.can_import_register(request.user):
        raise PermissionDenied(_("Only administrators of a service centre import registers."))
    form = RegisterImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            register = services.start_register_import(
                actor=request.user, file_name=upload.name, data=upload.read()
            )
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(str(exc.message)) from exc
            if exc.fields and "file" not in exc.fields:  # bad rows: each with its row number
                form.add_error(None, str(exc.message))
                for row, problems in exc.fields.items():
                    form.add_error(None, f"{row}: {' '.join(str(p) for p in problems)}")
            else:
                show_domain_error(form, exc)
        else:
            messages.success(request, _("The register is accepted; its accounts are matched now."))
            return redirect("accounts:register_import", pk=register.pk)
    return render(
        request,
        "accounts/register_imports.html",
        {
            "form": form,
            "columns": services.REGISTER_COLUMNS,
            "imports": RegisterImport.objects.select_related("imported_by")[:20],
        },
        status=422 if form.errors else 200,
    )


@staff_required(Role.ADMINISTRATOR)
def register_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not selectors.can_import_register(request.user):
        raise PermissionDenied(_("Only administrators of a service centre import registers."))
    register = RegisterImport.objects.select_related("imported_by").filter(pk=pk).first()
    if register is None:
        raise Http404
    entries = register.entries.select_related("user")
    sections = [
        (outcome, label, list(entries.filter(outcome=outcome)[:REPORT_ROWS]))
        for outcome, label in RegisterEntry.Outcome.choices
    ]
    return render(
        request,
        "accounts/register_import.html",
        {"register": register, "sections": sections, "report_rows": REPORT_ROWS},
    )
