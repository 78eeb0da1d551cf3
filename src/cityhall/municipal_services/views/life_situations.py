"""Life situations: the one questionnaire that opens applications in every department
concerned, and the resulting case's summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core.errors import InvalidInput, NotFound

from .. import selectors, services
from ..definition import text_in
from ..models import LifeSituation, LifeSituationCase
from ..schema_form import answers_from_post, fields_of
from .common import document_rows, domain_errors


@domain_errors
def life_situation(request, code):
    situation = LifeSituation.objects.filter(code=code, is_active=True).first()
    version = situation.published_version() if situation is not None else None
    if version is None:  # residents see only the published version, never a draft
        raise NotFound()
    errors: dict = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        values = answers_from_post(version.questionnaire, request.POST)
        try:
            case = services.submit_life_situation(
                situation=situation,
                actor=request.user,
                answers=values,
                documents=dict(request.FILES.items()),
            )
        except InvalidInput as exc:
            errors, status = exc.fields, 422
            if not errors:
                errors = {"__all__": [str(exc.message)]}
        else:
            messages.success(
                request,
                _(
                    "An application has been opened in every department concerned. "
                    "Check and sign each of them to submit it."
                ),
            )
            return redirect("municipal_services:life_situation_case", pk=case.pk)
    steps = list(
        version.steps.select_related("service")
        .prefetch_related("requires__service")
        .order_by("order")
    )
    shared: dict[str, dict] = {}
    for step in steps:
        offered = selectors.published_version(step.service)
        for doc in document_rows(offered) if offered else []:
            if doc["required"]:
                doc["services"] = [
                    *shared.get(doc["code"], {}).get("services", []),
                    step.service.title(),
                ]
                doc["errors"] = errors.get(doc["code"], [])
                shared[doc["code"]] = doc
    return render(
        request,
        "municipal_services/life_situation.html",
        {
            "situation": situation,
            "steps": steps,
            "fields": fields_of(version.questionnaire, version.ui, values=values, errors=errors),
            "general_errors": errors.get("__all__", []),
            "documents": list(shared.values()),
            "title": text_in(situation.name),
        },
        status=status,
    )


@login_required
def life_situation_case(request, pk):
    case = get_object_or_404(LifeSituationCase.objects.select_related("situation"), pk=pk)
    if case.applicant_id != request.user.pk:
        raise PermissionDenied
    summary = selectors.life_situation_summary(case)
    rows = [
        {"application": a, "waiting": summary.waiting.get(a.pk, [])} for a in summary.applications
    ]
    return render(
        request,
        "municipal_services/life_situation_case.html",
        {"case": case, "summary": summary, "rows": rows},
    )
