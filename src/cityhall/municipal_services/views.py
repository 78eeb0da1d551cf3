"""Pages of municipal services: thin — parse, call one service or selector, render.

Everything works without JavaScript: the application form is rendered on the server from the
version's JSON Schema; errors come back beside their fields with status 422.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Organisation, User
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.charts import bar_chart
from cityhall.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    TooManyRequests,
)

from . import selectors, services, signing
from . import statistics as stats
from . import widget as widget_handoffs
from .definition import text_in
from .models import (
    Application,
    ApplicationSignature,
    Consultation,
    LifeSituation,
    LifeSituationCase,
    Opinion,
    ServiceVersion,
    StandardRequest,
    StandardRequestType,
    WidgetSite,
)
from .schema_form import answers_from_post, fields_of

PAGE_SIZE = 50
STAFF = ("operator", "expert", "decision_maker")


def _page(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 200))
    except ValueError:
        return 1


def _domain(view):
    """Turn domain errors raised by a view into the page's 4xx."""

    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# --- public ----------------------------------------------------------------------------------


def catalogue(request):
    services_ = list(selectors.catalogue())
    situations = LifeSituation.objects.filter(is_active=True).order_by("code")
    return render(
        request,
        "municipal_services/catalogue.html",
        {"services": services_, "situations": situations, "title": _("Municipal services")},
    )


@_domain
def service_detail(request, code):
    service = selectors.service_by_code(code)
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    return render(
        request,
        "municipal_services/service.html",
        {
            "service": service,
            "version": version,
            "documents": _documents(version),
            "fees": [(text_in(f.get("title")), f.get("amount")) for f in version.fees or []],
        },
    )


def _documents(version: ServiceVersion) -> list[dict]:
    return [
        {
            "code": d["code"],
            "title": text_in(d.get("title")),
            "help": text_in(d.get("help")),
            "required": d.get("required", False),
            "types": ", ".join(t.split("/")[-1].upper() for t in d.get("types", [])),
            "max_size_mb": d.get("max_size_mb"),
        }
        for d in version.documents or []
    ]


@login_required
@_domain
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
@_domain
def application_edit(request, pk):
    """The form: save the draft (resume later) or submit; uploads are separate posts so each
    document is stored as soon as it arrives."""
    application = selectors.application_for(request.user, pk)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        return redirect("municipal_services:application", pk=pk)
    if request.user.pk not in (application.applicant_id, application.registered_by_id):
        raise PermissionDenied
    version = application.version
    errors: dict[str, list[str]] = {}
    values = application.answers
    status = 200
    if request.method == "POST":
        values = answers_from_post(version.form_schema, request.POST)
        try:
            application = services.save_draft(
                application=application, actor=request.user, answers=values
            )
            if request.POST.get("action") == "submit":
                if request.user.pk != application.applicant_id:
                    # A service centre registers a paper application the applicant signed by
                    # hand; the electronic signature is the applicant's own act.
                    services.submit_application(application=application, actor=request.user)
                    messages.success(request, _("Your application has been submitted."))
                    return redirect("municipal_services:application", pk=pk)
                if problems := signing.problems_before_signing(application):
                    raise InvalidInput(fields=problems)
                return redirect("municipal_services:application_sign", pk=pk)
            messages.success(request, _("The draft has been saved. You can come back to it later."))
            return redirect("municipal_services:application_edit", pk=pk)
        except InvalidInput as exc:
            errors = exc.fields
            status = 422
    return render(
        request,
        "municipal_services/application_form.html",
        _form_context(application, values, errors),
        status=status,
    )


def _form_context(application, values, errors):
    version = application.version
    fields = fields_of(version.form_schema, version.ui, values=values, errors=errors)
    documents = _documents(version)
    files = list(application.files.all())
    for doc in documents:
        doc["files"] = [f for f in files if f.document_code == doc["code"]]
        doc["errors"] = errors.get(doc["code"], [])
    field_names = {f.name for f in fields} | {d["code"] for d in documents}
    return {
        "application": application,
        "service": application.service,
        "fields": fields,
        "documents": documents,
        "errors": errors,
        "general_errors": [m for k, v in errors.items() if k not in field_names for m in v],
        "title": application.service.title(),
    }


@login_required
@require_POST
@_domain
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


def _answer_rows(application) -> list[tuple[str, object]]:
    version = application.version
    return [
        (f.label, f.value)
        for f in fields_of(version.form_schema, version.ui, values=application.answers)
        if f.value not in (None, "")
    ]


@login_required
@_domain
def application_sign(request, pk):
    """The "sign and submit" step: the applicant sees exactly what is signed (service,
    version, answers, files with their SHA-256) and its digest, asks for a one-time code to a
    confirmed contact and types it in. Works as plain forms, without JavaScript."""
    application = selectors.application_for(request.user, pk)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        return redirect("municipal_services:application", pk=pk)
    if request.user.pk != application.applicant_id:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                sent = signing.request_code(
                    application=application,
                    actor=request.user,
                    channel=request.POST.get("channel", ""),
                )
                messages.success(
                    request,
                    _("A code has been sent to %(to)s. It is valid for %(minutes)s minutes.")
                    % {
                        "to": signing.masked(sent.channel, sent.address),
                        "minutes": int(signing.CODE_TTL.total_seconds() // 60),
                    },
                )
                return redirect("municipal_services:application_sign", pk=pk)
            if action == "sign":
                signing.sign_and_submit(
                    application=application,
                    actor=request.user,
                    code=request.POST.get("code", ""),
                    digest=request.POST.get("digest", ""),
                    ip=request.META.get("REMOTE_ADDR"),
                )
                messages.success(request, _("Your application has been signed and submitted."))
                return redirect("municipal_services:application", pk=pk)
            raise Http404
        except InvalidInput as exc:
            errors = dict(exc.fields) or {"__all__": [str(exc.message)]}
            if str(exc.message) not in [str(m) for v in errors.values() for m in v]:
                errors.setdefault("__all__", []).insert(0, str(exc.message))
            status = 422
        except Conflict as exc:
            errors, status = {"__all__": [str(exc.message)]}, 409
    content = signing.signed_content(application)
    digest = signing.digest_of(content)
    pending = signing.pending_code(application, request.user)
    contacts = signing.contacts_of(request.user)
    shown = pending if pending and pending.digest == digest else None
    return render(
        request,
        "municipal_services/application_sign.html",
        {
            "application": application,
            "service": application.service,
            "answers": _answer_rows(application),
            "files": content["files"],
            "digest": digest,
            "canonical": signing.canonical_json(content).decode("utf-8"),
            "contacts": contacts,
            "pending": shown,
            "pending_to": signing.masked(shown.channel, shown.address) if shown else "",
            "errors": errors,
            # A field's message shows beside it when the field is on the page, else on top.
            "general_errors": [
                m
                for k, v in errors.items()
                if not (k == "channel" and contacts) and not (k == "code" and shown)
                for m in v
            ],
            "title": _("Sign and submit"),
        },
        status=status,
    )


@login_required
@require_POST
@_domain
def signature_verify(request, pk, signature_pk):
    """Recompute the digest from the application and files as stored now and say whether it
    still matches the signature."""
    application = selectors.application_for(request.user, pk)
    signature = get_object_or_404(ApplicationSignature, pk=signature_pk, application=application)
    result = signing.verify(signature)
    if result.matches:
        messages.success(
            request,
            _("The signature is valid: the application and its files are exactly as signed."),
        )
    else:
        messages.error(
            request,
            _(
                "The signature does not match: the application or its files changed after "
                "signing (digest now %(digest)s)."
            )
            % {"digest": result.current_digest},
        )
    return redirect(f"{reverse('municipal_services:application', args=[pk])}#signatures")


@login_required
def my_applications(request):
    page = _page(request)
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


@login_required
@_domain
def application_detail(request, pk):
    application = selectors.application_for(request.user, pk)
    is_staff = selectors.is_staff_of(request.user, application)
    events = application.events.select_related("actor").order_by("created_at", "pk")
    context = {
        "application": application,
        "service": application.service,
        "events": events,
        "is_staff": is_staff,
        "status_text": services.status_text(application, application.status),
        "answers": _answer_rows(application),
        "files": application.files.all(),
        "requests": application.standard_requests.select_related("type", "addressee"),
        "opinions": application.opinions.select_related("expert"),
        "result": getattr(application, "result", None),
        "is_owner": request.user.pk in (application.applicant_id, application.registered_by_id),
        "signatures": application.signatures.select_related("signer"),
    }
    if is_staff:
        stage = services.STAGE_OF.get(application.status, "")
        context.update(
            stage=stage,
            can_act=bool(stage)
            and has_role(
                request.user, services.stage_roles(application, stage), application.department
            ),
            experts=User.objects.filter(
                memberships__role="expert", memberships__organisation=application.department
            ).distinct()[:50],
            request_types=StandardRequestType.objects.select_related("addressee")[:50],
            my_opinions=application.opinions.filter(expert=request.user, answered_at__isnull=True),
        )
    return render(request, "municipal_services/application.html", context)


ACTIONS = {
    "accept": lambda a, u, p: services.accept_application(application=a, actor=u),
    "return": lambda a, u, p: services.return_application(
        application=a, actor=u, reasons=p.get("reasons", "").splitlines()
    ),
    "forward": lambda a, u, p: services.forward_to_expert(
        application=a, actor=u, expert=_user(p.get("expert")), note=p.get("note", "")
    ),
    "ask_opinion": lambda a, u, p: services.ask_opinion(
        application=a, actor=u, expert=_user(p.get("expert")), question=p.get("question", "")
    ),
    "answer_opinion": lambda a, u, p: services.answer_opinion(
        opinion=get_object_or_404(Opinion, pk=p.get("opinion"), application=a),
        actor=u,
        answer=p.get("answer", ""),
    ),
    "conclude": lambda a, u, p: services.send_to_decision(
        application=a, actor=u, conclusion=p.get("conclusion", ""), proposed=p.get("proposed", "")
    ),
    "decide": lambda a, u, p: services.decide(
        application=a,
        actor=u,
        outcome=p.get("outcome", ""),
        reasons=p.get("reasons", "").splitlines(),
    ),
    "suspend": lambda a, u, p: services.suspend_application(
        application=a, actor=u, reason=p.get("reason", "")
    ),
    "resume": lambda a, u, p: services.resume_application(application=a, actor=u),
    "extend": lambda a, u, p: services.extend_application(
        application=a, actor=u, days=_int(p.get("days")), reason=p.get("reason", "")
    ),
    "withdraw": lambda a, u, p: services.withdraw_application(application=a, actor=u),
    "send_request": lambda a, u, p: services.send_standard_request(
        application=a,
        actor=u,
        type=get_object_or_404(StandardRequestType, pk=p.get("type")),
        payload=_json(p.get("payload")),
    ),
}


def _user(pk) -> User:
    user = User.objects.filter(pk=_int(pk)).first()
    if user is None:
        raise InvalidInput(fields={"expert": [_("Choose an expert.")]})
    return user


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _json(value) -> dict:
    try:
        data = json.loads(value or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(fields={"payload": [_("Enter the request as a JSON object.")]})
    return data


@login_required
@require_POST
@_domain
def application_act(request, pk):
    application = selectors.application_for(request.user, pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    try:
        action(application, request.user, request.POST)
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        details = [m for v in exc.fields.values() for m in v]
        messages.error(request, " ".join([str(exc.message), *details]))
    else:
        messages.success(request, _("Done."))
    return redirect("municipal_services:application", pk=pk)


@login_required
@_domain
def result_pdf(request, pk):
    application = selectors.application_for(request.user, pk)
    result = getattr(application, "result", None)
    if result is None:
        raise Http404
    return FileResponse(
        result.file.open("rb"), content_type="application/pdf", filename=f"{result.number}.pdf"
    )


@login_required
@_domain
def application_file(request, pk, file_pk):
    """A document of an application, for the applicant and the department's staff only."""
    application = selectors.application_for(request.user, pk)
    stored = get_object_or_404(application.files, pk=file_pk)
    return FileResponse(
        stored.file.open("rb"),
        content_type=stored.content_type,
        as_attachment=True,
        filename=stored.original_name,
    )


# --- staff -------------------------------------------------------------------------------------


@staff_required(STAFF)
def desk(request):
    status = request.GET.get("status", "")
    if status and status not in Application.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    page = _page(request)
    qs = selectors.desk(request.user, status=status, overdue_only=overdue)
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    from .models import Service

    return render(
        request,
        "municipal_services/desk.html",
        {
            "applications": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": [(s, Application.Status(s).label) for s in Application.OPEN],
            "now": timezone.now(),
            "overdue_count": selectors.overdue(request.user).count(),
            "services": Service.objects.filter(is_active=True).order_by("code"),
        },
    )


@staff_required("operator")
@_domain
def register_paper(request, code):
    """A service centre operator registers a paper application on behalf of the applicant;
    the scans are uploaded on the next page, as for any application."""
    service = selectors.service_by_code(code)
    error = ""
    if request.method == "POST":
        try:
            applicant = services.paper_applicant(
                actor=request.user,
                contact=request.POST.get("contact", ""),
                last_name=request.POST.get("last_name", ""),
                first_name=request.POST.get("first_name", ""),
            )
        except InvalidInput as exc:
            error = " ".join([str(exc.message)] + [m for v in exc.fields.values() for m in v])
        else:
            application = services.start_application(
                actor=request.user,
                service=service,
                applicant=applicant,
                channel=Application.Channel.SERVICE_CENTRE,
            )
            return redirect("municipal_services:application_edit", pk=application.pk)
    return render(
        request,
        "municipal_services/register_paper.html",
        {"service": service, "error": error},
        status=422 if error else 200,
    )


@staff_required(STAFF + ("administrator",))
def statistics(request):
    period = stats.Period.from_query(request.GET)
    report = stats.report(period, departments=selectors.staff_departments(request.user))
    charts = {
        "by_service": bar_chart(
            _("Applications by service"), [(r["label"], r["count"]) for r in report["by_service"]]
        ),
        "by_channel": bar_chart(
            _("Applications by channel"), [(r["label"], r["count"]) for r in report["by_channel"]]
        ),
        "by_day": bar_chart(
            _("Applications by day"), [(r["label"], r["count"]) for r in report["by_day"]]
        ),
    }
    return render(
        request,
        "municipal_services/statistics.html",
        {"report": report, "period": period, "charts": charts},
    )


@staff_required(STAFF + ("administrator",))
def statistics_export(request, fmt):
    period = stats.Period.from_query(request.GET)
    report = stats.report(period, departments=selectors.staff_departments(request.user))
    if fmt == "csv":
        return HttpResponse(
            stats.as_csv(report),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="municipal-services.csv"'},
        )
    if fmt == "xlsx":
        return HttpResponse(
            stats.as_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="municipal-services.xlsx"'},
        )
    raise Http404


@staff_required(STAFF)
def consultations(request):
    departments = selectors.staff_departments(request.user)
    errors: dict = {}
    if request.method == "POST":
        from .models import Service

        try:
            services.log_consultation(
                actor=request.user,
                department=get_object_or_404(Organisation, pk=_int(request.POST.get("department"))),
                service=Service.objects.filter(pk=_int(request.POST.get("service"))).first(),
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
    from .models import Service

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


@staff_required(services.REQUEST_HANDLERS)
def requests_desk(request):
    departments = selectors.staff_departments(request.user)
    rows = (
        StandardRequest.objects.filter(addressee__in=departments)
        .select_related("type", "application", "application__service", "addressee")
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
@_domain
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


def _may_preview(user) -> bool:
    return user.is_authenticated and (user.is_staff or has_role(user, ("administrator",) + STAFF))


@_domain
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
    from .models import Service

    definition, problems = {}, {}
    for name in ServiceVersion.DEFINITION_FIELDS:
        raw = request.POST.get(name, "")
        if name == "term_days":
            definition[name] = _int(raw)
        elif name == "registry":
            definition[name] = raw
        else:
            try:
                definition[name] = json.loads(raw or "null")
            except ValueError:
                definition[name] = None
                problems.setdefault(name, []).append(_("This part is not valid JSON."))
    version = ServiceVersion(**{k: v for k, v in definition.items() if v is not None})
    service = Service.objects.filter(pk=_int(request.POST.get("service"))).first()
    return _preview(request, service, version, definition, checked=False, extra=problems)


def _preview(request, service, version, definition, *, checked, extra=None):
    from .definition import problems_of
    from .schema_form import errors_of

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
            "documents": _documents(version),
            "problems": problems,
            "checked": answering,
            "errors": errors,
            "live": not checked,
        },
    )


# --- registries ---------------------------------------------------------------------------------


def registry(request):
    name = request.GET.get("registry", "")
    q = request.GET.get("q", "").strip()[:100]
    page = _page(request)
    rows = list(selectors.registry_search(name, q)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    return render(
        request,
        "municipal_services/registry.html",
        {
            "rows": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "registry": name,
            "q": q,
            "registries": selectors.registries(),
            "title": _("Registers of issued permits"),
        },
    )


def registry_map(request):
    """The records found, marked on the city's districts (geo's renderer), as an SVG file for
    the registry page's ``<img>``; the page's table lists the same records as text."""
    from django.utils.translation import ngettext

    from cityhall.geo.maps import SHADES, MapPlace, draw_map, render_svg
    from cityhall.geo.models import District

    name = request.GET.get("registry", "")
    q = request.GET.get("q", "").strip()[:100]
    records = selectors.registry_search(name, q).filter(lat__isnull=False, lon__isnull=False)
    places = [MapPlace(r.lat, r.lon, f"{r.number}: {r.title}") for r in records[:2000]]
    districts = list(District.objects.all())
    svg = draw_map(areas=districts, places=places, colours=[SHADES[0]] * len(districts))
    title = _("Registry records on the city map")
    desc = ngettext(
        "%(count)s record found; the register's table lists it.",
        "%(count)s records found; the register's table lists them.",
        len(places),
    ) % {"count": len(places)}
    return HttpResponse(render_svg(svg, title=title, desc=desc), content_type="image/svg+xml")


# --- life situations ----------------------------------------------------------------------------


@_domain
def life_situation(request, code):
    situation = LifeSituation.objects.filter(code=code, is_active=True).first()
    if situation is None:
        raise NotFound()
    errors: dict = {}
    values: dict = {}
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        values = answers_from_post(situation.questionnaire, request.POST)
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
                request, _("Your application has been sent to every department concerned.")
            )
            return redirect("municipal_services:life_situation_case", pk=case.pk)
    steps = list(situation.steps.select_related("service").order_by("order"))
    shared: dict[str, dict] = {}
    for step in steps:
        version = selectors.published_version(step.service)
        for doc in _documents(version) if version else []:
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
            "fields": fields_of(
                situation.questionnaire, situation.ui, values=values, errors=errors
            ),
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
    return render(
        request, "municipal_services/life_situation_case.html", {"case": case, "summary": summary}
    )


# --- widget ---------------------------------------------------------------------------------------


def widget_script(request):
    """One script tag for another portal: it places an iframe with our widget page."""
    base = request.build_absolute_uri("/")[:-1]
    script = (
        "(function(){var s=document.currentScript;var site=s.getAttribute('data-site');"
        "var code=s.getAttribute('data-service');var f=document.createElement('iframe');"
        f"f.src='{base}/services/widget/'+encodeURIComponent(site)+'/'+encodeURIComponent(code)+'/';"
        "f.title=s.getAttribute('data-title')||'Municipal service';f.style.width='100%';"
        "f.style.minHeight='40rem';f.style.border='0';s.parentNode.insertBefore(f,s.nextSibling);})();"
    )
    return HttpResponse(script, content_type="application/javascript; charset=utf-8")


def _widget_parts(site: str, code: str):
    widget_site = WidgetSite.objects.filter(key=site, is_active=True).first()
    if widget_site is None or not widget_site.origins:
        raise NotFound()
    service = selectors.service_by_code(code)
    if not widget_site.services.filter(pk=service.pk).exists():
        raise NotFound()
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    return widget_site, service, version


def _same_site_post(request) -> bool:
    """The iframe's form posts without cookies (so without Django's CSRF cookie); a browser
    still names the page that posted in ``Origin``, which must be this portal (the iframe's
    own origin) when it is sent."""
    origin = request.headers.get("Origin")
    return origin in (None, "", "null") or origin == request.build_absolute_uri("/")[:-1]


@csrf_exempt
@xframe_options_exempt
@_domain
def widget(request, site, code):
    """The service form inside another portal's iframe: only that site's origins may frame it
    (CSP frame-ancestors); every other page keeps X-Frame-Options: DENY.

    No cookie is needed: the answers are checked and kept behind a one-time token, and the
    person continues on this portal in a new tab (see ``widget.py``)."""
    widget_site, service, version = _widget_parts(site, code)
    values: dict = {}
    errors: dict[str, list[str]] = {}
    handoff = token = None
    status = 200
    if request.method == "POST":
        if not _same_site_post(request):
            raise PermissionDenied
        if request.POST.get("handoff"):
            token = request.POST["handoff"]
            try:
                handoff = widget_handoffs.handoff_by_token(token)
            except NotFound:
                token, status = None, 404
                errors = {"__all__": [_("This link is not valid. Fill in the form again.")]}
            else:
                if handoff.site_id != widget_site.pk or handoff.service_id != service.pk:
                    raise NotFound()
        else:
            values = answers_from_post(version.form_schema, request.POST)
            try:
                created = widget_handoffs.create_handoff(
                    site=widget_site,
                    service=service,
                    answers=values,
                    language=get_language() or "ru",
                    client=request.META.get("REMOTE_ADDR", ""),
                )
            except InvalidInput as exc:
                errors, status = exc.fields, 422
            except TooManyRequests as exc:
                errors, status = {"__all__": [str(exc.message)]}, 429
            else:
                handoff, token = created.handoff, created.token
    fields = fields_of(version.form_schema, version.ui, values=values, errors=errors)
    field_names = {f.name for f in fields}
    response = render(
        request,
        "municipal_services/widget.html",
        {
            "service": service,
            "version": version,
            "site": widget_site,
            "fields": fields,
            "errors": errors,
            "general_errors": [m for k, v in errors.items() if k not in field_names for m in v],
            "handoff": handoff,
            "token": token,
            "now": timezone.now(),
            "documents": _documents(version),
        },
        status=status,
    )
    response["Content-Security-Policy"] = "frame-ancestors 'self' " + " ".join(widget_site.origins)
    response["Referrer-Policy"] = "same-origin"  # the token never leaves this portal
    response["Cache-Control"] = "no-store"
    return response


@_domain
def widget_continue(request, token):
    """Top-level, first-party page the widget opens in a new tab: sign in if needed, see the
    answers brought from the other site, and continue to a prefilled draft."""
    handoff = widget_handoffs.handoff_by_token(token)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    problem = ""
    if request.method == "POST":
        try:
            application = widget_handoffs.claim_handoff(token=token, actor=request.user)
        except Conflict as exc:
            problem = str(exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your answers from %(site)s are in this draft. Attach the documents, then sign "
                    "and submit."
                )
                % {"site": handoff.site.name},
            )
            return redirect("municipal_services:application_edit", pk=application.pk)
    elif handoff.application is not None and handoff.application.applicant_id == request.user.pk:
        return redirect("municipal_services:application_edit", pk=handoff.application.pk)
    version = handoff.version
    answers = [
        (f.label, f.value)
        for f in fields_of(version.form_schema, version.ui, values=handoff.answers)
        if f.value not in (None, "")
    ]
    expired = handoff.expires_at <= timezone.now()
    used = handoff.claimed_at is not None
    response = render(
        request,
        "municipal_services/widget_continue.html",
        {
            "handoff": handoff,
            "service": handoff.service,
            "answers": answers if not (expired or used) else [],
            "expired": expired,
            "used": used,
            "problem": problem,
            "documents": _documents(version),
            "title": handoff.service.title(),
        },
        status=409 if problem else (410 if expired or used else 200),
    )
    response["Referrer-Policy"] = "same-origin"  # the token never leaves this portal
    response["Cache-Control"] = "no-store"
    return response
