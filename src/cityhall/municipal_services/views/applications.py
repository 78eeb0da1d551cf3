"""The applicant's pages: start an application, fill in and save the form, attach documents,
the list of one's applications, the case page (also the staff's view of it), the result and the
files. Everything works without JavaScript: the form is rendered on the server from the
version's JSON Schema; errors come back beside their fields with status 422."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.selectors import can_sign_in, has_role, people_with_role
from cityhall.core.errors import Forbidden, InvalidInput, NotFound

from .. import deadlines, selectors, services, signing
from ..definition import text_in
from ..designer.request_forms import case_facts, prefilled_values
from ..group_field import rows_after_post
from ..models import Application, LifeSituationCase, StandardRequestType
from ..models.request_type_forms import published_form
from ..schema_form import answers_from_post, fields_of
from .common import (
    PAGE_SIZE,
    answer_rows,
    answers_map,
    document_rows,
    document_title,
    domain_errors,
    int_or_zero,
    page_number,
)


@login_required
@domain_errors
def apply(request, code):
    service = selectors.service_by_code(code)
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    if request.method == "POST":
        application = services.start_application(
            actor=request.user, service=service, language=get_language() or "ru"
        )
        return redirect("municipal_services:application_edit", pk=application.pk)
    drafts = selectors.applications_of(request.user).filter(
        service=service, status=Application.Status.DRAFT
    )[:5]
    return render(request, "municipal_services/apply.html", {"service": service, "drafts": drafts})


@login_required
@domain_errors
def application_edit(request, pk):
    """The form: one form posts the answers together with every chosen file, whichever button
    is pressed (save, upload, remove a file, submit), so an upload never discards what was
    typed, with or without JavaScript. Files are stored as soon as they arrive; a refused file
    comes back beside its document with the answers kept."""
    application = selectors.application_for(request.user, pk)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        return redirect("municipal_services:application", pk=pk)
    if request.user.pk not in (application.applicant_id, application.registered_by_id):
        raise PermissionDenied(
            _(
                "Only the applicant (or the service centre that registered it) fills in the "
                "application; the department's staff read it on the case page."
            )
        )
    if new_questions := services.move_draft_to_published_version(
        application=application, actor=request.user
    ):
        messages.info(
            request,
            _("The service's form has changed since you started; please also answer: %(q)s.")
            % {"q": "; ".join(new_questions)},
        )
    application.refresh_from_db()
    version = application.version
    errors: dict[str, list[str]] = {}
    values = application.answers
    status = 200
    rows = None
    if request.method == "POST":
        values = answers_from_post(version.form_schema, request.POST)
        rows = rows_after_post(version.form_schema, request.POST)
        # a repeating group's "add another"/"remove": saved, then shown again with a row more
        # or less (the page is not left, so the empty rows stay)
        changing_rows = "add_item" in request.POST or "remove_item" in request.POST
        action = request.POST.get("action", "save")
        remove = [int_or_zero(request.POST["remove"])] if "remove" in request.POST else []
        try:
            application = services.save_form(
                application=application,
                actor=request.user,
                answers=values,
                uploads=[
                    (key.removeprefix("file-"), upload)
                    for key, upload in request.FILES.items()
                    if key.startswith("file-")
                ],
                remove=remove,
            )
            if changing_rows:
                return render(
                    request,
                    "municipal_services/application_form.html",
                    _form_context(application, values, errors, rows),
                )
            if "remove" in request.POST:
                messages.success(request, _("The file has been removed."))
                return redirect("municipal_services:application_edit", pk=pk)
            if action == "upload":
                messages.success(request, _("The file has been uploaded."))
                return redirect("municipal_services:application_edit", pk=pk)
            if action == "submit":
                if request.user.pk != application.applicant_id:
                    # A service centre registers a paper application the applicant signed by
                    # hand; the electronic signature is the applicant's own act.
                    services.submit_application(application=application, actor=request.user)
                    messages.success(request, _("Your application has been submitted."))
                    return redirect("municipal_services:application", pk=pk)
                services.check_identity(application=application)
                if problems := signing.problems_before_signing(application):
                    raise InvalidInput(fields=problems)
                return redirect("municipal_services:application_sign", pk=pk)
            messages.success(request, _("The draft has been saved. You can come back to it later."))
            return redirect("municipal_services:application_edit", pk=pk)
        except InvalidInput as exc:
            errors = exc.fields or {"__all__": [str(exc.message)]}
            status = 422
        except Forbidden as exc:
            if exc.code != "identity_required":
                raise
            errors, status = {"__all__": [str(exc.message)]}, 403
    return render(
        request,
        "municipal_services/application_form.html",
        _form_context(application, values, errors, rows),
        status=status,
    )


def _form_context(application, values, errors, rows=None):
    version = application.version
    fields = fields_of(version.form_schema, version.ui, values=values, errors=errors, rows=rows)
    documents = document_rows(version)
    files = list(application.files.all())
    for doc in documents:
        doc["files"] = [f for f in files if f.document_code == doc["code"]]
        doc["errors"] = errors.get(doc["code"], [])
    field_names = fields.names | {d["code"] for d in documents}
    return {
        "application": application,
        "service": application.service,
        "fields": fields,
        "documents": documents,
        "errors": errors,
        "general_errors": [m for k, v in errors.items() if k not in field_names for m in v],
        "title": application.service.title(),
        "identity_missing": services.identity_missing(application=application),
    }


@login_required
@require_POST
@domain_errors
def application_upload(request, pk):
    application = selectors.application_for(request.user, pk)
    if request.POST.get("remove"):
        file = application.files.filter(pk=request.POST["remove"]).first()
        if file:
            services.remove_file(file=file, actor=request.user)
        return redirect("municipal_services:application_edit", pk=pk)
    upload = request.FILES.get("file")
    code = request.POST.get("document_code", "")
    try:
        if upload is None:
            raise InvalidInput(fields={code or "file": [_("Choose a file.")]})
        services.upload_file(
            application=application, actor=request.user, document_code=code, upload=upload
        )
    except InvalidInput as exc:
        return render(
            request,
            "municipal_services/application_form.html",
            _form_context(application, application.answers, exc.fields),
            status=422,
        )
    messages.success(request, _("The file has been uploaded."))
    return redirect("municipal_services:application_edit", pk=pk)


@login_required
def my_applications(request):
    page = page_number(request)
    rows = list(
        selectors.applications_of(request.user)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1]
    )
    situations = LifeSituationCase.objects.filter(applicant=request.user).select_related(
        "situation"
    )
    return render(
        request,
        "municipal_services/my_applications.html",
        {
            "applications": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "situations": situations[:20],
        },
    )


def _request_form(request, application: Application):
    """The chosen interdepartmental request type's own form, prefilled from the case's answers
    (``?request_type=`` — without JavaScript the type is chosen first, then its form shown)."""
    kind = (
        StandardRequestType.objects.select_related("addressee")
        .filter(pk=int_or_zero(request.GET.get("request_type")))
        .first()
    )
    if kind is None:
        return None
    schema, ui = published_form(kind)
    values = prefilled_values(
        schema, ui, answers=application.answers or {}, facts=case_facts(application)
    )
    return {"type": kind, "fields": fields_of(schema, ui, values=values)}


@login_required
@domain_errors
def application_detail(request, pk):
    application = selectors.application_for(request.user, pk)
    is_staff = selectors.is_staff_of(request.user, application)
    events = selectors.history_for(application, staff=is_staff)
    files = list(application.files.all())
    for f in files:
        f.document_title = document_title(application.version, f.document_code)
    context = {
        "application": application,
        "service": application.service,
        "events": events,
        "is_staff": is_staff,
        "status_text": services.status_text(application, application.status),
        "answers": answer_rows(application),
        "answers_map": answers_map(application),
        "files": files,
        "requests": application.standard_requests.select_related(
            "type", "addressee", "answer_stored"
        ),
        "opinions": application.opinions.select_related("expert"),
        "result": getattr(application, "result", None),
        "is_owner": request.user.pk in (application.applicant_id, application.registered_by_id),
        "signatures": application.signatures.select_related("signer"),
        "letter": application.channel == Application.Channel.SERVICE_CENTRE
        and application.number
        and (is_staff or request.user.pk == application.registered_by_id)
        and not can_sign_in(application.applicant),
    }
    if is_staff:
        stage = services.STAGE_OF.get(application.status, "")
        context.update(
            variant_title=next(
                (
                    text_in(v.get("title")) or v["code"]
                    for v in application.version.variants or []
                    if v.get("code") == application.variant
                ),
                application.variant,
            ),
            refusal_reasons=[
                (r["code"], text_in(r.get("title")))
                for r in application.version.refusal_reasons or []
                if isinstance(r, dict) and r.get("code")
            ],
            stage=stage,
            stage_due_at=deadlines.stage_due_at(application, stage),
            # Forms are offered only to whom they would not refuse; the others read why.
            stage_refusal=services.stage_refusal(application, request.user, stage) if stage else "",
            may_handle_term=bool(stage)
            and has_role(
                request.user,
                {
                    r
                    for s in services.STAGE_OF.values()
                    for r in services.stage_roles(application, s)
                },
                application.department,
            ),
            may_extend=bool(stage)
            and has_role(request.user, "decision_maker", application.department),
            experts=people_with_role(
                services.stage_roles(application, "consideration"), application.department
            ).exclude(pk__in=[request.user.pk, application.assignee_id or 0])[:50],
            request_types=StandardRequestType.objects.select_related("addressee")[:50],
            request_form=_request_form(request, application),
            required_requests=services.required_requests(application),
            my_opinions=application.opinions.filter(expert=request.user, answered_at__isnull=True),
        )
    return render(request, "municipal_services/application.html", context)


@login_required
@domain_errors
def result_pdf(request, pk):
    application = selectors.application_for(request.user, pk)
    result = getattr(application, "result", None)
    if result is None:
        raise Http404
    return redirect(result.stored.url)


@login_required
@domain_errors
def application_file(request, pk, file_pk):
    """A document of an application, for the applicant and the department's staff only."""
    application = selectors.application_for(request.user, pk)
    stored = get_object_or_404(application.files, pk=file_pk)
    return redirect(stored.stored.url)
