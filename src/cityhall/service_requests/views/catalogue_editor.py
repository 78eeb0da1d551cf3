"""The request catalogue editor for a city's administrators (and service designers): the list of
categories, a category's draft (texts, responsible organisation type, stage limits, emergency
guidance), its questions one page each, and the difference shown before publishing.

Every form is plain HTML (no JavaScript needed); every choice is a list, every code is made by
the service. A refusal comes back on the same page beside the field it names; a conflict (another
administrator saved first) comes back with what they saved beside what was typed, so nothing is
overwritten unseen. See :mod:`cityhall.service_requests.services.catalogue_editing`.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required
from cityhall.core.errors import Conflict, DomainError

from ..catalogue_editor_forms import DraftDetailsForm, QuestionForm, apply_errors
from ..models import TIMED_STATUSES, Category, CategoryDraft
from ..services import catalogue_editing as editing
from .pages import error_message, int_or_none

__all__ = [
    "CATALOGUE_EDITORS",
    "catalogue",
    "draft_discard",
    "draft_edit",
    "draft_publish",
    "question_action",
    "question_edit",
]

#: Who edits the catalogue: the city's administrators and service designers.
CATALOGUE_EDITORS = [
    Role.ADMINISTRATOR.value,
    getattr(Role, "SERVICE_DESIGNER", "service_designer"),
]

#: Empty answer rows offered below a question's answers (no JavaScript to add rows).
SPARE_OPTIONS = 3


@staff_required(CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def catalogue(request):
    """The categories, each with its published version and any draft; "edit" opens its draft."""
    if request.method == "POST":
        pk = int_or_none(request.POST.get("category"))
        category = get_object_or_404(Category, pk=pk) if pk else None
        draft = editing.open_draft(actor=request.user, category=category)
        return redirect("service_requests:catalogue_draft", pk=draft.pk)
    categories = list(
        Category.objects.select_related("current_version").order_by("group", "code")[:500]
    )
    drafts = {
        d.category_id: d for d in CategoryDraft.objects.select_related("updated_by", "category")
    }
    return render(
        request,
        "service_requests/catalogue_editor/catalogue.html",
        {
            "title": _("Request catalogue"),
            "rows": [(c, drafts.get(c.pk)) for c in categories],
            "new_drafts": [d for key, d in drafts.items() if key is None],
        },
    )


def _saved_meanwhile(draft: CategoryDraft, typed: dict) -> list[dict]:
    """The saved values that differ from what the administrator typed (shown on a conflict)."""
    draft.refresh_from_db()
    labels = {f.name: f.verbose_name for f in CategoryDraft._meta.get_fields() if f.concrete}
    return [
        {"label": labels[name], "saved": getattr(draft, name), "typed": typed[name]}
        for name in editing.DETAIL_FIELDS
        if getattr(draft, name) != typed[name]
    ]


def _revision(request) -> int:
    return int_or_none(request.POST.get("revision")) or 0


@staff_required(CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def draft_edit(request, pk: int):
    """The category's texts and limits (one form) and its questions (a page each)."""
    draft = get_object_or_404(CategoryDraft.objects.select_related("category", "updated_by"), pk=pk)
    new_category = draft.category_id is None
    status, meanwhile = 200, []
    if request.method == "POST":
        form = DraftDetailsForm(request.POST, new_category=new_category)
        if form.is_valid():
            limits = form.limits()
        if form.is_valid():
            details = form.details()
            try:
                editing.save_draft_details(
                    draft=draft,
                    actor=request.user,
                    revision=form.cleaned_data["revision"],
                    details=details,
                    limits=limits,
                    code=form.cleaned_data.get("code") or "",
                )
                messages.success(
                    request, _("The draft is saved. Nothing changes for residents yet.")
                )
                return redirect("service_requests:catalogue_draft", pk=draft.pk)
            except Conflict as exc:
                meanwhile = _saved_meanwhile(draft, details)
                # Saving again now is a choice made with the other's values in view.
                data = request.POST.copy()
                data["revision"] = str(draft.revision)
                form = DraftDetailsForm(data, new_category=new_category)
                form.is_valid()
                form.add_error(None, str(exc.message))
                status = exc.status
            except DomainError as exc:
                apply_errors(form, exc.fields or {"__all__": [exc.message]})
                status = exc.status
        else:
            status = 422
    else:
        form = DraftDetailsForm(
            initial=DraftDetailsForm.initial_for(draft), new_category=new_category
        )
    return render(
        request,
        "service_requests/catalogue_editor/draft.html",
        {
            "title": _("Edit the category “%(name)s”") % {"name": draft},
            "draft": draft,
            "form": form,
            "limit_rows": form.limit_rows(),
            "questions": [
                q | {"kind": dict(editing.datatype_choices()).get(q.get("datatype"), "")}
                for q in draft.questions
            ],
            "meanwhile": meanwhile,
            "problems": _problem_list(draft, editing.publishing_problems(draft)),
        },
        status=status,
    )


def _problem_list(draft: CategoryDraft, problems: dict) -> list[str]:
    """Each problem with the name of the field it is about, in the reader's language."""
    form = DraftDetailsForm(new_category=True)
    labels = {name: field.label for name, field in form.fields.items()}
    for stage in TIMED_STATUSES:
        labels[f"limit_{stage.value}"] = labels[f"amount_{stage.value}"]
    for position, question in enumerate(draft.questions, start=1):
        labels[f"question_{question.get('code') or position}"] = _("Question %(n)s") % {
            "n": position
        }
    return [
        f"{labels[key]}: {message}" if key in labels else str(message)
        for key, messages_ in problems.items()
        for message in messages_
    ]


def _option_rows(question: dict, data=None) -> list[dict]:
    rows = [
        {
            "key": str(v.get("key", "")),
            "ru": v.get("name", ""),
            "tt": v.get("name_tt", ""),
            "en": v.get("name_en", ""),
        }
        for v in question.get("values") or []
    ]
    rows += [{"key": "", "ru": "", "tt": "", "en": ""} for _n in range(SPARE_OPTIONS)]
    if data is not None:
        count = min(int_or_none(data.get("option_count")) or 0, 100)
        rows = [
            {
                "key": data.get(f"option_{i}_key", ""),
                **{lang: data.get(f"option_{i}_{lang}", "") for lang in editing.LANGUAGES},
            }
            for i in range(count)
        ]
    return rows


@staff_required(CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def question_edit(request, pk: int, code: str | None = None):
    """Add a question (``code`` None) or change one: its wording, kind and answers."""
    draft = get_object_or_404(CategoryDraft.objects.select_related("category"), pk=pk)
    question = next((q for q in draft.questions if q.get("code") == code), None)
    if code is not None and question is None:
        messages.error(request, _("This question was removed meanwhile."))
        return redirect("service_requests:catalogue_draft", pk=draft.pk)
    question = question or {"datatype": "string", "required": False}
    status, option_errors = 200, []
    if request.method == "POST":
        form = QuestionForm(request.POST)
        options = _option_rows(question, request.POST)
        if form.is_valid():
            try:
                editing.save_question(
                    draft=draft,
                    actor=request.user,
                    revision=form.cleaned_data["revision"],
                    code=code,
                    wording={
                        lang: form.cleaned_data[f"wording_{lang}"] for lang in editing.LANGUAGES
                    },
                    datatype=form.cleaned_data["datatype"],
                    required=form.cleaned_data["required"],
                    options=options,
                )
                messages.success(request, _("The question is saved in the draft."))
                return redirect("service_requests:catalogue_draft", pk=draft.pk)
            except DomainError as exc:
                fields = dict(exc.fields or {"__all__": [exc.message]})
                option_errors = [str(m) for m in fields.pop("options", [])]
                if option_errors:
                    form.add_error(None, _("Answers: %(problem)s") % {"problem": option_errors[0]})
                apply_errors(form, fields)
                status = exc.status
        else:
            status = 422
    else:
        options = _option_rows(question)
        form = QuestionForm(
            initial={
                "revision": draft.revision,
                "datatype": question.get("datatype"),
                "required": bool(question.get("required")),
            }
            | {
                f"wording_{lang}": question.get(key, "")
                for lang, key in editing.QUESTION_LANGUAGE_KEYS.items()
            }
        )
    return render(
        request,
        "service_requests/catalogue_editor/question.html",
        {
            "title": _("Edit a question") if code else _("Add a question"),
            "draft": draft,
            "code": code,
            "form": form,
            "options": options,
            "option_errors": option_errors,
        },
        status=status,
    )


@staff_required(CATALOGUE_EDITORS)
@require_POST
def question_action(request, pk: int, code: str):
    """Move a question up or down, or remove it from the draft."""
    draft = get_object_or_404(CategoryDraft, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "remove":
            editing.remove_question(
                draft=draft, actor=request.user, revision=_revision(request), code=code
            )
            messages.success(request, _("The question is removed from the draft."))
        elif action in ("up", "down"):
            editing.move_question(
                draft=draft,
                actor=request.user,
                revision=_revision(request),
                code=code,
                step=-1 if action == "up" else 1,
            )
    except DomainError as exc:
        error_message(request, exc)
    return redirect("service_requests:catalogue_draft", pk=draft.pk)


@staff_required(CATALOGUE_EDITORS)
@require_http_methods(["GET", "POST"])
def draft_publish(request, pk: int):
    """The difference between the published category and the draft; "Publish" validates."""
    draft = get_object_or_404(CategoryDraft.objects.select_related("category"), pk=pk)
    status, refusal = 200, ""
    if request.method == "POST":
        try:
            category = editing.publish_draft(
                draft=draft, actor=request.user, revision=_revision(request)
            )
            messages.success(
                request,
                _("“%(name)s” is published as version %(n)s.")
                % {"name": category.name, "n": category.current_version.number},
            )
            return redirect("service_requests:catalogue")
        except DomainError as exc:
            refusal, status = str(exc.message), exc.status
            draft.refresh_from_db()
    return render(
        request,
        "service_requests/catalogue_editor/publish.html",
        {
            "title": _("Publish “%(name)s”") % {"name": draft},
            "draft": draft,
            "changes": editing.catalogue_difference(draft),
            "refusal": refusal,
            "problems": _problem_list(draft, editing.publishing_problems(draft)),
        },
        status=status,
    )


@staff_required(CATALOGUE_EDITORS)
@require_POST
def draft_discard(request, pk: int):
    draft = get_object_or_404(CategoryDraft, pk=pk)
    editing.discard_draft(draft=draft, actor=request.user)
    messages.success(request, _("The draft is discarded; the published category is unchanged."))
    return redirect("service_requests:catalogue")
