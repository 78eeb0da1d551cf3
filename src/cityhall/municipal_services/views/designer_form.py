"""The designer's form builder pages: a draft's fields in order (add, change, move, remove),
each edited through :class:`..designer.forms.FieldForm`; registry fields are ticked here."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import Conflict

from ..designer.fields import (
    CONDITION_OPERATORS,
    field_specs,
    move_field,
    put_field,
    remove_field,
)
from ..designer.forms import FieldForm
from .designer import DESIGNERS, page, save_definition, version_for

__all__ = ["fields_page", "field_edit", "field_action"]


def _draft(request, code, number):
    version = version_for(request.user, code, number)
    if not version.is_editable:
        raise Conflict(
            _("Version %(n)s is published or retired; start a new version to change it.")
            % {"n": version.number}
        )
    return version


def _condition_text(spec, specs) -> str:
    if not spec.show_when:
        return _("always") if spec.custom_condition is None else _("under a condition")
    field_name, operator, value = spec.show_when
    other = next((s for s in specs if s.name == field_name), None)
    label = (other.label.get("ru") if other else None) or field_name
    words = str(CONDITION_OPERATORS[operator][0])
    if other and value is not None:
        value = next((t.get("ru") for c, t in other.choices if c == value), value)
    return " ".join(str(p) for p in (label, words, "" if value is None else value)).strip()


@staff_required(DESIGNERS)
def fields_page(request, code, number):
    """The fields in order and the form to add one (POST adds it)."""
    version = version_for(request.user, code, number)
    definition = version.definition()
    specs = field_specs(definition)
    form = FieldForm(initial={"revision": version.revision, "kind": "text"}, others=specs)
    if request.method == "POST":
        version = _draft(request, code, number)
        form = FieldForm(request.POST, others=specs)
        if form.is_valid():
            spec = form.to_spec(None)
            if save_definition(request, version, put_field(definition, spec)):
                return redirect("service_designer:fields", code=code, number=number)
    registry = set((definition.get("ui") or {}).get("registry_fields") or [])
    rows = [(s, _condition_text(s, specs), s.name in registry) for s in specs]
    return page(request, "fields.html", version, rows=rows, form=form)


@staff_required(DESIGNERS)
def field_edit(request, code, number, name):
    version = version_for(request.user, code, number)
    definition = version.definition()
    specs = field_specs(definition)
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        messages.error(request, _("The form has no such field any more."))
        return redirect("service_designer:fields", code=code, number=number)
    others = [s for s in specs if s.name != name]
    form = FieldForm(initial=FieldForm.initial_of(spec, version.revision), others=others)
    if request.method == "POST":
        version = _draft(request, code, number)
        form = FieldForm(request.POST, others=others)
        if form.is_valid():
            changes = put_field(definition, form.to_spec(spec), old_name=name)
            if save_definition(request, version, changes):
                return redirect("service_designer:fields", code=code, number=number)
    return page(request, "field.html", version, spec=spec, form=form)


@staff_required(DESIGNERS)
@require_POST
def field_action(request, code, number, name):
    """Move a field up or down, remove it, or (un)mark it as a registry field."""
    version = _draft(request, code, number)
    definition = version.definition()
    action = request.POST.get("action")
    if action in ("up", "down"):
        changes = move_field(definition, name, -1 if action == "up" else 1)
    elif action == "remove":
        changes = remove_field(definition, name)
    elif action == "registry":
        ui = dict(definition.get("ui") or {})
        chosen = list(ui.get("registry_fields") or [])
        ui["registry_fields"] = (
            [n for n in chosen if n != name] if name in chosen else [*chosen, name]
        )
        changes = {"ui": ui}
    else:
        changes = {}
    if changes:
        save_definition(request, version, changes)
    return redirect("service_designer:fields", code=code, number=number)
