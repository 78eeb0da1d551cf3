"""The preview of a service definition's form for officials: a saved version, or the admin's
unsaved edits (checked with the same problems as publication)."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.selectors import has_role

from ..models import ServiceVersion
from ..schema_form import answers_from_post, fields_of
from .common import STAFF, document_rows, domain_errors, int_or_zero


def _may_preview(user) -> bool:
    return user.is_authenticated and (user.is_staff or has_role(user, ("administrator",) + STAFF))


@domain_errors
def preview(request, pk):
    """The preview of a saved version's form, rendered on the server exactly as applicants
    will see it; posting answers checks them against the schema."""
    if not _may_preview(request.user):
        raise PermissionDenied
    version = get_object_or_404(ServiceVersion.objects.select_related("service"), pk=pk)
    return _preview(request, version.service, version, version.definition(), checked=True)


@require_POST
def preview_draft(request):
    """The live preview from the admin's edit form, before saving: the posted definition
    parts (JSON text) are rendered and checked as they are."""
    if not _may_preview(request.user):
        raise PermissionDenied
    from ..models import Service

    definition, problems = {}, {}
    for name in ServiceVersion.DEFINITION_FIELDS:
        raw = request.POST.get(name, "")
        if name == "term_days":
            definition[name] = int_or_zero(raw)
        elif name in ("registry", "identity"):
            definition[name] = raw
        else:
            try:
                definition[name] = json.loads(raw or "null")
            except ValueError:
                definition[name] = None
                problems.setdefault(name, []).append(_("This part is not valid JSON."))
    version = ServiceVersion(**{k: v for k, v in definition.items() if v is not None})
    service = Service.objects.filter(pk=int_or_zero(request.POST.get("service"))).first()
    return _preview(request, service, version, definition, checked=False, extra=problems)


def _preview(request, service, version, definition, *, checked, extra=None):
    from ..definition import problems_of
    from ..schema_form import errors_of

    schema = version.form_schema if isinstance(version.form_schema, dict) else {}
    ui = version.ui if isinstance(version.ui, dict) else {}
    problems = dict(extra or {})
    for name, messages_ in problems_of(definition).items():
        problems.setdefault(name, []).extend(messages_)
    values, errors = {}, {}
    answering = checked and request.method == "POST" and "form_schema" not in problems
    if answering:
        values = answers_from_post(schema, request.POST)
        errors = errors_of(schema, values, hints=ui)
    return render(
        request,
        "municipal_services/preview.html",
        {
            "version": version,
            "service": service,
            "fields": fields_of(schema, ui, values=values, errors=errors)
            if "form_schema" not in problems
            else [],
            "documents": document_rows(version),
            "problems": problems,
            "checked": answering,
            "errors": errors,
            "live": not checked,
        },
    )
