"""The service designer's pages for a service: the list of services, a new service, its names
in ru/tt/en, its versions (new version, export, import) and a version's overview. Who may
design: the ``administrator`` and ``service_designer`` roles of the service's department (or a
parent). Editing a draft's parts: :mod:`.designer_form` (fields), :mod:`.designer_parts`
(documents, variants, rules, stages, texts, template), :mod:`.designer_publish`."""

from __future__ import annotations

import json
import re

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cityhall.accounts.models import Organisation
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role, organisations_where
from cityhall.core.errors import DomainError, Forbidden

from .. import selectors, services
from ..designer.checks import publication_problems
from ..designer.forms import TextsMixin, texts_initial
from ..models import Service, ServiceVersion

__all__ = [
    "DESIGNERS",
    "designer_index",
    "service_new",
    "service_page",
    "version_new",
    "service_export",
    "service_import",
    "version_page",
    "service_for",
    "version_for",
    "save_definition",
    "report_error",
]

DESIGNERS = ("administrator", "service_designer")
SECTIONS = (
    ("service_designer:fields", gettext_lazy("Form")),
    ("service_designer:documents", gettext_lazy("Documents")),
    ("service_designer:variants", gettext_lazy("Variants")),
    ("service_designer:rules", gettext_lazy("Decision rules")),
    ("service_designer:stages", gettext_lazy("Stages and term")),
    ("service_designer:texts", gettext_lazy("Status texts and reasons")),
    ("service_designer:template", gettext_lazy("Result document")),
    ("service_designer:preview", gettext_lazy("Preview")),
    ("service_designer:publish", gettext_lazy("Differences and publishing")),
)


def _departments(user):
    if user.is_superuser:
        return Organisation.objects.filter(is_active=True)
    return organisations_where(user, DESIGNERS).distinct()


def service_for(user, code: str) -> Service:
    service = get_object_or_404(Service.objects.select_related("department"), code=code)
    if not has_role(user, DESIGNERS, service.department):
        raise Forbidden(_("You design the services of other departments only."))
    return service


def version_for(user, code: str, number: int) -> ServiceVersion:
    service = service_for(user, code)
    version = get_object_or_404(ServiceVersion, service=service, number=number)
    version.service = service
    return version


def report_error(request, exc: DomainError) -> dict[str, list[str]]:
    """A refused change as a message at the top; the per-field problems are returned."""
    fields = {k: [str(m) for m in v] for k, v in (exc.fields or {}).items()}
    messages.error(request, str(exc.message))
    return fields


def save_definition(request, version: ServiceVersion, changes: dict) -> bool:
    """Save parts of a draft with the revision the page was made from; False (with the
    message shown) when refused, e.g. another official saved it meanwhile."""
    return save_draft(
        request,
        lambda revision: services.update_draft(
            actor=request.user, version=version, definition=changes, expected_revision=revision
        ),
    )


def save_draft(request, update) -> bool:
    """Call ``update(revision)`` with the revision the page was made from; "Saved." or the
    refusal shown, and whether it was saved (a refusal of the right itself is raised)."""
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        update(revision)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        report_error(request, exc)
        return False
    messages.success(request, _("Saved."))
    return True


def page(request, template: str, version: ServiceVersion | None, **context) -> HttpResponse:
    """A designer page with the version's sections beside it."""
    if version is not None:
        context.setdefault("service", version.service)
        context["version"] = version
        context["sections"] = SECTIONS
    return render(request, f"municipal_services/designer/{template}", context)


class NewServiceForm(TextsMixin, forms.Form):
    texts = ("name",)
    texts_required = ("name",)
    texts_labels = {"name": gettext_lazy("Name of the service")}
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_texts()
        self.fields["department"].queryset = _departments(user)


def _new_code(name: dict) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", slugify(name.get("en") or "").lower()).strip("-")[:60]
    base = base or "service"
    code, n = base, 2
    while Service.objects.filter(code=code).exists():
        code, n = f"{base}-{n}", n + 1
    return code


@staff_required(DESIGNERS)
def designer_index(request):
    departments = _departments(request.user)
    found = (
        Service.objects.filter(department__in=departments)
        .select_related("department")
        .prefetch_related(Prefetch("versions", queryset=ServiceVersion.objects.order_by("-number")))
    )
    return page(
        request,
        "index.html",
        None,
        services=found,
        form=NewServiceForm(user=request.user),
    )


@staff_required(DESIGNERS)
@require_POST
def service_new(request):
    form = NewServiceForm(request.POST, user=request.user)
    if form.is_valid():
        name = form.texts_of("name")
        try:
            service = services.create_service(
                actor=request.user,
                code=_new_code(name),
                department=form.cleaned_data["department"],
                name=name,
            )
            services.start_new_version(actor=request.user, service=service)
        except DomainError as exc:
            report_error(request, exc)
        else:
            messages.success(request, _("The service is created with a first draft."))
            return redirect("service_designer:service", code=service.code)
    departments = _departments(request.user)
    return page(
        request,
        "index.html",
        None,
        services=Service.objects.filter(department__in=departments),
        form=form,
        status=400,
    )


class NameForm(TextsMixin, forms.Form):
    texts = ("name",)
    texts_required = ("name",)
    texts_labels = {"name": gettext_lazy("Name of the service")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_texts()


@staff_required(DESIGNERS)
def service_page(request, code):
    service = service_for(request.user, code)
    form = NameForm(initial=texts_initial("name", service.name))
    if request.method == "POST":
        form = NameForm(request.POST)
        if form.is_valid():
            try:
                services.rename_service(
                    actor=request.user, service=service, name=form.texts_of("name")
                )
            except DomainError as exc:
                report_error(request, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("service_designer:service", code=code)
    return page(
        request,
        "service.html",
        None,
        service=service,
        versions=service.versions.order_by("-number"),
        form=form,
    )


@staff_required(DESIGNERS)
@require_POST
def version_new(request, code):
    service = service_for(request.user, code)
    version = services.start_new_version(actor=request.user, service=service)
    messages.success(
        request,
        _("Version %(n)s is a draft copied from the published one.") % {"n": version.number},
    )
    return redirect("service_designer:version", code=code, number=version.number)


@staff_required(DESIGNERS)
def service_export(request, code, number):
    version = version_for(request.user, code, number)
    data = selectors.export_service(version.service, version)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{code}-v{number}.json"'
    return response


@staff_required(DESIGNERS)
@require_POST
def service_import(request):
    upload = request.FILES.get("file")
    try:
        data = json.loads(upload.read().decode("utf-8")) if upload else None
    except (ValueError, UnicodeDecodeError):
        data = None
    department = _departments(request.user).filter(pk=request.POST.get("department") or 0).first()
    existing = Service.objects.filter(
        code=(data or {}).get("code", "") if isinstance(data, dict) else ""
    ).first()
    if existing is not None:
        service_for(request.user, existing.code)  # only into a service one may design
    try:
        if department is None and existing is None:
            raise DomainError(_("Choose the department the imported service belongs to."))
        version = services.import_service(actor=request.user, data=data, department=department)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        report_error(request, exc)
        return redirect("service_designer:index")
    messages.success(
        request,
        _("The file is imported as draft version %(n)s; check it and publish it.")
        % {"n": version.number},
    )
    return redirect("service_designer:version", code=version.service.code, number=version.number)


@staff_required(DESIGNERS)
def version_page(request, code, number):
    version = version_for(request.user, code, number)
    problems = publication_problems(version.definition()) if version.is_editable else {}
    if not version.is_editable and request.method == "POST":
        raise Http404
    return page(request, "version.html", version, problems=problems)
