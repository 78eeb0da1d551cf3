"""The designer's pages for interdepartmental request types' forms, at
``/staff/services/request-types/``: each type's versions, a draft's fields built with the same
form builder as a service's (:mod:`..designer.fields`), where each field is filled from on the
case (chosen from a list), the difference from the published form, its problems, and
publishing. Who may design a type's form: ``administrator`` or ``service_designer`` of the
type's addressee department (or a parent). Changes go through
:mod:`..services.request_type_forms`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import DomainError, Forbidden

from ..definition import text_in
from ..designer.difference import difference
from ..designer.fields import field_specs, move_field, put_field, remove_field
from ..designer.forms import FieldForm
from ..designer.request_forms import CASE_SOURCES, SAME_NAME
from ..models import RequestTypeFormVersion, ServiceVersion, StandardRequestType
from ..services import request_type_forms as design
from .designer import DESIGNERS, report_error, save_draft

__all__ = [
    "request_types",
    "request_type_start",
    "request_form_page",
    "request_form_field",
    "request_form_field_action",
    "request_form_publish",
]

V = RequestTypeFormVersion.Status
TEMPLATE = "municipal_services/designer/request_types/{}.html"


def _type_for(user, code: str) -> StandardRequestType:
    kind = get_object_or_404(StandardRequestType.objects.select_related("addressee"), code=code)
    if not has_role(user, DESIGNERS, kind.addressee):
        raise Forbidden(_("You design the request forms of other departments only."))
    return kind


def _version_for(user, code: str, number: int) -> RequestTypeFormVersion:
    kind = _type_for(user, code)
    version = get_object_or_404(RequestTypeFormVersion, type=kind, number=number)
    version.type = kind
    return version


def _answer_sources(kind: StandardRequestType) -> list[tuple[str, str]]:
    """The answers of the services whose variants require this request type, as
    ``answer:<field>`` choices ("Answer “Area” (Permit to build)")."""
    choices: dict[str, str] = {}
    published = ServiceVersion.objects.filter(status=ServiceVersion.Status.PUBLISHED)
    for version in published.select_related("service")[:300]:
        if not any(
            kind.code in (v.get("requests") or [])
            for v in version.variants or []
            if isinstance(v, dict)
        ):
            continue
        definition = {"form_schema": version.form_schema, "ui": version.ui}
        for spec in field_specs(definition):
            label = text_in(spec.label) or spec.name
            choices.setdefault(
                f"answer:{spec.name}",
                _("the answer “%(field)s” (%(service)s)")
                % {"field": label, "service": version.service.title()},
            )
    return sorted(choices.items(), key=lambda item: item[1])


class RequestFieldForm(FieldForm):
    """A field of a request's form: the service designer's field, and where the case fills it
    from."""

    source = forms.ChoiceField(label=gettext_lazy("Filled on the case from"), required=False)

    def __init__(self, *args, sources: list[tuple[str, str]] = (), **kwargs):
        # A request's form is filled on the case: no repeating group (no "add another" there).
        kwargs.setdefault("nested", True)
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (SAME_NAME, _("the application's answer of the same name")),
            *[(code, str(label)) for code, label in CASE_SOURCES.items()],
            *sources,
        ]


def _with_source(changes: dict, name: str, source: str) -> dict:
    ui = changes["ui"]
    hints = dict((ui.get("fields") or {}).get(name) or {})
    if source:
        hints["from"] = source
    else:
        hints.pop("from", None)
    ui.setdefault("fields", {})[name] = hints
    return changes


def _source_label(source: str, sources: dict[str, str]) -> str:
    if not source:
        return _("the application's answer of the same name")
    return str(CASE_SOURCES.get(source) or sources.get(source) or source)


def _save(request, version: RequestTypeFormVersion, changes: dict) -> bool:
    return save_draft(
        request,
        lambda revision: design.update_request_form_draft(
            actor=request.user, version=version, changes=changes, expected_revision=revision
        ),
    )


@staff_required(DESIGNERS)
def request_types(request):
    kinds = StandardRequestType.objects.select_related("addressee").prefetch_related(
        "form_versions"
    )
    return render(request, TEMPLATE.format("list"), {"kinds": kinds[:200]})


@staff_required(DESIGNERS)
@require_POST
def request_type_start(request, code):
    """Open the type's draft (a copy of its published form when there is none yet)."""
    kind = _type_for(request.user, code)
    draft = design.start_request_form_draft(actor=request.user, type=kind)
    return redirect("service_designer:request_form", code=code, number=draft.number)


@staff_required(DESIGNERS)
def request_form_page(request, code, number):
    """A version's fields, the form to add one (POST adds it), the difference from the
    published form, its problems and the publish button."""
    version = _version_for(request.user, code, number)
    definition = version.definition()
    specs = field_specs(definition)
    sources = _answer_sources(version.type)
    form = RequestFieldForm(
        initial={"revision": version.revision, "kind": "text"}, others=specs, sources=sources
    )
    if request.method == "POST" and version.is_editable:
        form = RequestFieldForm(request.POST, others=specs, sources=sources)
        if form.is_valid():
            spec = form.to_spec(None)
            changes = put_field(definition, spec)
            changes = _with_source(changes, spec.name, form.cleaned_data["source"])
            if _save(request, version, changes):
                return redirect("service_designer:request_form", code=code, number=number)
    hints = (definition.get("ui") or {}).get("fields") or {}
    named = dict(sources)
    published = version.type.form_versions.filter(status=V.PUBLISHED).exclude(pk=version.pk)
    base = published.first()
    before = base.definition() if base else {"form_schema": version.type.form_schema, "ui": {}}
    return render(
        request,
        TEMPLATE.format("form"),
        {
            "kind": version.type,
            "form_version": version,
            "versions": version.type.form_versions.all(),
            "rows": [
                (s, _source_label((hints.get(s.name) or {}).get("from", ""), named)) for s in specs
            ],
            "form": form,
            "base": base,
            "changes": difference(before, definition) if version.is_editable else [],
            "problems": design.request_form_problems(version) if version.is_editable else {},
        },
    )


@staff_required(DESIGNERS)
def request_form_field(request, code, number, name):
    version = _version_for(request.user, code, number)
    definition = version.definition()
    specs = field_specs(definition)
    spec = next((s for s in specs if s.name == name), None)
    if spec is None or not version.is_editable:
        messages.error(request, _("The form has no such field any more."))
        return redirect("service_designer:request_form", code=code, number=number)
    others = [s for s in specs if s.name != name]
    sources = _answer_sources(version.type)
    source = (((definition.get("ui") or {}).get("fields") or {}).get(name) or {}).get("from", "")
    initial = FieldForm.initial_of(spec, version.revision) | {"source": source}
    form = RequestFieldForm(initial=initial, others=others, sources=sources)
    if request.method == "POST":
        form = RequestFieldForm(request.POST, others=others, sources=sources)
        if form.is_valid():
            changes = put_field(definition, form.to_spec(spec), old_name=name)
            changes = _with_source(changes, name, form.cleaned_data["source"])
            if _save(request, version, changes):
                return redirect("service_designer:request_form", code=code, number=number)
    return render(
        request,
        TEMPLATE.format("field"),
        {"kind": version.type, "form_version": version, "spec": spec, "form": form},
    )


@staff_required(DESIGNERS)
@require_POST
def request_form_field_action(request, code, number, name):
    """Move a field up or down, or remove it."""
    version = _version_for(request.user, code, number)
    definition = version.definition()
    action = request.POST.get("action")
    if action in ("up", "down"):
        _save(request, version, move_field(definition, name, -1 if action == "up" else 1))
    elif action == "remove":
        _save(request, version, remove_field(definition, name))
    return redirect("service_designer:request_form", code=code, number=number)


@staff_required(DESIGNERS)
@require_POST
def request_form_publish(request, code, number):
    version = _version_for(request.user, code, number)
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        design.publish_request_form(actor=request.user, version=version, expected_revision=revision)
    except DomainError as exc:
        if isinstance(exc, Forbidden):
            raise
        for part_messages in report_error(request, exc).values():
            for message in part_messages:
                messages.error(request, message)
    else:
        messages.success(request, _("Version %(n)s is published.") % {"n": version.number})
    return redirect("service_designer:request_form", code=code, number=number)
