"""The life-situation designer's questionnaire pages: the questions the resident answers to
learn which services apply, built with the service designer's field builder (kind, texts in
ru/tt/en, required, limits, options, "show when" another question has an answer) — no JSON, no
codes. Saves go through :mod:`..services.questionnaire_design`, which refuses a condition
naming a question or an answer the questionnaire does not have, with the question named.
Only a draft version is changed; the published one is shown read-only."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import Conflict, DomainError

from ..definition import text_in
from ..designer.fields import CONDITION_OPERATORS, field_specs, move_field, put_field, remove_field
from ..designer.forms import FieldForm
from ..designer.questionnaire import question_label, questionnaire_revision
from ..models import LifeSituation
from ..services import questionnaire_design as design
from .life_situation_designer import (
    DESIGNERS,
    draft_or_refusal,
    version_context,
    working_version,
)

__all__ = ["question_action", "question_edit", "questions"]

TEMPLATE = "municipal_services/life_situation_designer/{}.html"


def _revision(request) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


def _save(request, version, changes, form=None, question=None) -> bool:
    """Save through the service; a refusal lands on the form's fields (or at the top)."""
    try:
        design.save_questionnaire(
            version=version,
            actor=request.user,
            changes=changes,
            expected_revision=_revision(request),
            question=question,
        )
    except DomainError as exc:
        fields = {k: [str(m) for m in v] for k, v in (exc.fields or {}).items()}
        messages.error(request, str(exc.message))
        for key, found in fields.items():
            for message in found:
                if form is not None and key in form.fields:
                    form.add_error(key, message)
                else:
                    messages.error(request, message)
        if isinstance(exc, Conflict) and form is not None:
            form.data = form.data.copy()
            version.refresh_from_db()
            form.data["revision"] = questionnaire_revision(version.definition())
        return False
    messages.success(request, _("The questionnaire is saved."))
    return True


def _shown_when(spec, specs) -> str:
    if not spec.show_when:
        return _("always") if spec.custom_condition is None else _("under a condition")
    name, operator, value = spec.show_when
    other = next((s for s in specs if s.name == name), None)
    if other is not None and value is not None:
        value = next((text_in(t) for c, t in other.choices if c == value), value)
    words = str(CONDITION_OPERATORS[operator][0])
    label = question_label(other) if other else name
    return " ".join(str(p) for p in (label, words, "" if value is None else value)).strip()


@staff_required(DESIGNERS)
def questions(request, pk: int):
    """The questions in order and the form to add one (POST adds it, to the draft only)."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    version = working_version(situation)
    definition = version.definition() if version else {"form_schema": {}, "ui": {}}
    specs = field_specs(definition)
    revision = questionnaire_revision(definition)
    form = FieldForm(initial={"revision": revision, "kind": "yes_no"}, others=specs, nested=True)
    status = 200
    if request.method == "POST":
        version = draft_or_refusal(request, situation)
        if version is None:
            return redirect("municipal_services:designer_questions", pk=pk)
        definition = version.definition()
        specs = field_specs(definition)
        form = FieldForm(request.POST, others=specs, nested=True)
        if form.is_valid():
            spec = form.to_spec(None)
            changes = put_field(definition, spec)
            if _save(request, version, changes, form, question=spec.name):
                return redirect("municipal_services:designer_questions", pk=pk)
        status = 422
    return render(
        request,
        TEMPLATE.format("questions"),
        {
            "title": text_in(situation.name) or situation.code,
            "situation": situation,
            "rows": [(s, question_label(s), _shown_when(s, specs)) for s in specs],
            "revision": revision,
            "form": form,
            **version_context(situation, version),
        },
        status=status,
    )


@staff_required(DESIGNERS)
def question_edit(request, pk: int, name: str):
    situation = get_object_or_404(LifeSituation, pk=pk)
    version = working_version(situation)
    if version is None or (request.method == "POST" and not version.is_editable):
        draft_or_refusal(request, situation)
        return redirect("municipal_services:designer_questions", pk=pk)
    definition = version.definition()
    specs = field_specs(definition)
    spec = next((s for s in specs if s.name == name), None)
    if spec is None:
        messages.error(request, _("The questionnaire has no such question any more."))
        return redirect("municipal_services:designer_questions", pk=pk)
    others = [s for s in specs if s.name != name]
    revision = questionnaire_revision(definition)
    form = FieldForm(initial=FieldForm.initial_of(spec, revision), others=others, nested=True)
    status = 200
    if request.method == "POST":
        form = FieldForm(request.POST, others=others, nested=True)
        if form.is_valid():
            changes = put_field(definition, form.to_spec(spec), old_name=name)
            if _save(request, version, changes, form, question=name):
                return redirect("municipal_services:designer_questions", pk=pk)
        status = 422
    return render(
        request,
        TEMPLATE.format("question"),
        {
            "title": question_label(spec),
            "situation": situation,
            "spec": spec,
            "form": form,
            **version_context(situation, version),
        },
        status=status,
    )


@staff_required(DESIGNERS)
@require_POST
def question_action(request, pk: int, name: str):
    """Move a question up or down, or remove it (refused while a step or question uses it)."""
    situation = get_object_or_404(LifeSituation, pk=pk)
    version = draft_or_refusal(request, situation)
    if version is None:
        return redirect("municipal_services:designer_questions", pk=pk)
    definition = version.definition()
    action = request.POST.get("action")
    if action in ("up", "down"):
        _save(request, version, move_field(definition, name, -1 if action == "up" else 1))
    elif action == "remove":
        _save(request, version, remove_field(definition, name))
    return redirect("municipal_services:designer_questions", pk=pk)
