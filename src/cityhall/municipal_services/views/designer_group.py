"""The designer's pages for a repeating group's own fields (the rooms of an office: name and
area of each room): listed, added, changed, moved and removed like the form's fields, with the
same field form (:class:`..designer.forms.FieldForm`), inside the group's item."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required

from ..designer.fields import (
    field_specs,
    group_definition,
    move_field,
    put_field,
    put_group,
    remove_field,
)
from ..designer.forms import FieldForm
from .designer import DESIGNERS, page, save_definition, version_for
from .designer_form import _condition_text, _draft

__all__ = ["group_page", "group_item_edit", "group_item_action"]


def _group(request, code, number, name):
    """The version, its definition and the group's spec; None for the spec when ``name`` is
    not a repeating group of the form."""
    version = version_for(request.user, code, number)
    definition = version.definition()
    spec = next((s for s in field_specs(definition) if s.name == name), None)
    return version, definition, spec if spec is not None and spec.kind == "group" else None


def _gone(request, code, number):
    messages.error(request, _("The form has no such repeating group any more."))
    return redirect("service_designer:fields", code=code, number=number)


@staff_required(DESIGNERS)
def group_page(request, code, number, name):
    """The fields of each item of the group, and the form to add one (POST adds it)."""
    version, definition, group = _group(request, code, number, name)
    if group is None:
        return _gone(request, code, number)
    inner = group_definition(definition, name)
    specs = field_specs(inner)
    form = FieldForm(
        initial={"revision": version.revision, "kind": "text"}, others=specs, nested=True
    )
    if request.method == "POST":
        version = _draft(request, code, number)
        form = FieldForm(request.POST, others=specs, nested=True)
        if form.is_valid():
            changes = put_group(definition, name, put_field(inner, form.to_spec(None)))
            if save_definition(request, version, changes):
                return redirect("service_designer:group", code=code, number=number, name=name)
    rows = [(s, _condition_text(s, specs)) for s in specs]
    return page(request, "group.html", version, group=group, rows=rows, form=form)


@staff_required(DESIGNERS)
def group_item_edit(request, code, number, name, sub):
    version, definition, group = _group(request, code, number, name)
    if group is None:
        return _gone(request, code, number)
    inner = group_definition(definition, name)
    specs = field_specs(inner)
    spec = next((s for s in specs if s.name == sub), None)
    if spec is None:
        messages.error(request, _("The form has no such field any more."))
        return redirect("service_designer:group", code=code, number=number, name=name)
    others = [s for s in specs if s.name != sub]
    form = FieldForm(
        initial=FieldForm.initial_of(spec, version.revision), others=others, nested=True
    )
    if request.method == "POST":
        version = _draft(request, code, number)
        form = FieldForm(request.POST, others=others, nested=True)
        if form.is_valid():
            changes = put_group(
                definition, name, put_field(inner, form.to_spec(spec), old_name=sub)
            )
            if save_definition(request, version, changes):
                return redirect("service_designer:group", code=code, number=number, name=name)
    return page(request, "group_item.html", version, group=group, spec=spec, form=form)


@staff_required(DESIGNERS)
@require_POST
def group_item_action(request, code, number, name, sub):
    """Move a field of the group's item up or down, or remove it."""
    version = _draft(request, code, number)
    definition = version.definition()
    inner = group_definition(definition, name)
    action = request.POST.get("action")
    if action in ("up", "down"):
        changes = move_field(inner, sub, -1 if action == "up" else 1)
    elif action == "remove":
        changes = remove_field(inner, sub)
    else:
        changes = {}
    if changes and (whole := put_group(definition, name, changes)):
        save_definition(request, version, whole)
    return redirect("service_designer:group", code=code, number=number, name=name)
