"""The designer's pages for a draft's parts other than the form: documents, variants, stages
and term, status texts and listed reasons. Each part is a plain form (rows of a formset for
lists, one empty row to add); codes are made from the English words, kept once made."""

from __future__ import annotations

import re

from django import forms
from django.shortcuts import redirect
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Role
from cityhall.accounts.permissions import staff_required

from ..definition import ROLE_CODES, STAGES, STATUS_CODES
from ..designer.fields import field_specs
from ..designer.forms import TextsMixin, texts_initial
from ..models import Application, Registry, ServiceVersion, StandardRequestType
from .designer import DESIGNERS, page, save_definition, version_for

__all__ = ["documents_page", "variants_page", "stages_page", "texts_page", "new_code"]

FILE_KINDS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/zip": "ZIP",
    "application/xml": "XML",
    "application/pkcs7-signature": "SIG",
}
STAGE_NAMES = {
    "acceptance": _("Document check"),
    "consideration": _("Consideration by an expert"),
    "decision": _("Decision"),
}


def new_code(texts: dict, taken: set[str], prefix: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", slugify(texts.get("en") or "").lower()).strip("-")[:40]
    base = base or f"{prefix}-{len(taken) + 1}"
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


class RowForm(TextsMixin, forms.Form):
    """A row of a list (a document, a variant, a reason): its code kept hidden, its title."""

    texts = ("title",)
    texts_required = ("title",)
    texts_labels = {"title": _("Title")}
    code = forms.CharField(widget=forms.HiddenInput, required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_texts()
        for name, options in (choices or {}).items():
            self.fields[name].choices = options

    def has_title(self) -> bool:
        return bool(self.cleaned_data.get("title_ru", "").strip())


class DocumentForm(RowForm):
    required = forms.BooleanField(label=_("Required"), required=False)
    types = forms.MultipleChoiceField(
        label=_("Allowed kinds of file"),
        choices=list(FILE_KINDS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_size_mb = forms.IntegerField(label=_("Largest file, MB"), min_value=1, max_value=100)


class VariantForm(RowForm):
    typical = forms.BooleanField(label=_("Typical (may be decided automatically)"), required=False)
    parameters = forms.MultipleChoiceField(
        label=_("Closed questions (fields its rules read)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    documents = forms.MultipleChoiceField(
        label=_("Documents this variant requires"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    requests = forms.MultipleChoiceField(
        label=_("Interdepartmental requests this variant requires"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _rows(request, form_class, items, initial_of, choices=None):
    """Bound forms for a posted list, or forms for the stored items and one empty row."""
    if request.method == "POST":
        count = int(request.POST.get("rows", "0") or 0)
        return [
            form_class(request.POST, prefix=f"r{i}", choices=choices)
            for i in range(min(count, 200))
        ]
    rows = [
        form_class(prefix=f"r{i}", initial=initial_of(item), choices=choices)
        for i, item in enumerate(items)
    ]
    rows.append(form_class(prefix=f"r{len(items)}", choices=choices, initial={"max_size_mb": 10}))
    return rows


def _list_page(request, code, number, *, part, form_class, initial_of, item_of, choices=None):
    version = version_for(request.user, code, number)
    definition = version.definition()
    items = definition.get(part) or []
    rows = _rows(request, form_class, items, initial_of, choices)
    if request.method == "POST" and version.is_editable:
        filled = [
            f for f in rows if f.is_valid() and f.has_title() and not f.cleaned_data["remove"]
        ]
        blank = [
            f
            for f in rows
            if f.is_bound and not f.is_valid() and f.data.get(f"{f.prefix}-title_ru")
        ]
        if not blank:
            old = {i.get("code"): i for i in items if isinstance(i, dict)}
            taken = {f.cleaned_data["code"] for f in filled if f.cleaned_data["code"]}
            result = []
            for form in filled:
                item_code = form.cleaned_data["code"] or new_code(
                    form.texts_of("title"), taken, part[:-1]
                )
                taken.add(item_code)
                result.append(item_of(form, item_code, old.get(item_code) or {}))
            if save_definition(request, version, {part: result}):
                return redirect(request.path)
    return page(request, f"{part}.html", version, rows=rows)


@staff_required(DESIGNERS)
def documents_page(request, code, number):
    def initial_of(doc):
        return {
            "code": doc.get("code", ""),
            "required": doc.get("required", False),
            "types": doc.get("types") or [],
            "max_size_mb": doc.get("max_size_mb"),
            **texts_initial("title", doc.get("title")),
        }

    def item_of(form, item_code, old):
        return {
            **old,
            "code": item_code,
            "title": form.texts_of("title"),
            "required": form.cleaned_data["required"],
            "types": form.cleaned_data["types"],
            "max_size_mb": form.cleaned_data["max_size_mb"],
        }

    return _list_page(
        request,
        code,
        number,
        part="documents",
        form_class=DocumentForm,
        initial_of=initial_of,
        item_of=item_of,
    )


@staff_required(DESIGNERS)
def variants_page(request, code, number):
    version = version_for(request.user, code, number)
    definition = version.definition()
    choices = {
        "parameters": [(s.name, s.label.get("ru") or s.name) for s in field_specs(definition)],
        "documents": [
            (d.get("code"), (d.get("title") or {}).get("ru") or d.get("code"))
            for d in definition.get("documents") or []
        ],
        "requests": [(t.code, str(t)) for t in StandardRequestType.objects.all()],
    }

    def initial_of(variant):
        return {
            "code": variant.get("code", ""),
            "typical": variant.get("typical", False),
            "parameters": variant.get("parameters") or [],
            "documents": variant.get("documents") or [],
            "requests": variant.get("requests") or [],
            **texts_initial("title", variant.get("title")),
        }

    def item_of(form, item_code, old):
        return {
            **old,
            "code": item_code,
            "title": form.texts_of("title"),
            "typical": form.cleaned_data["typical"],
            "parameters": form.cleaned_data["parameters"],
            "documents": form.cleaned_data["documents"],
            "requests": form.cleaned_data["requests"],
        }

    return _list_page(
        request,
        code,
        number,
        part="variants",
        form_class=VariantForm,
        initial_of=initial_of,
        item_of=item_of,
        choices=choices,
    )


TERM_UNITS = [("working", _("working days")), ("calendar", _("calendar days"))]


class StagesForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    term_days = forms.IntegerField(label=_("Legal term, days"), min_value=1, max_value=1000)
    term_in = forms.ChoiceField(label=_("The term is counted in"), choices=TERM_UNITS)
    identity = forms.ChoiceField(label=_("Who may apply"), choices=ServiceVersion.Identity.choices)
    result_types = forms.MultipleChoiceField(
        label=_("What an approval issues"),
        choices=[("document", _("A result document")), ("registry_record", _("A registry record"))],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    registry = forms.ChoiceField(label=_("Registry the result is recorded in"), required=False)
    separation = forms.MultipleChoiceField(
        label=_("Separation of duties: one person may not act in both stages"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        role_names = dict(Role.choices)
        for stage in STAGES:
            self.fields[f"roles_{stage}"] = forms.MultipleChoiceField(
                label=_("Who acts at the stage “%(stage)s”") % {"stage": STAGE_NAMES[stage]},
                choices=[(r, role_names.get(r, r)) for r in ROLE_CODES],
                widget=forms.CheckboxSelectMultiple,
            )
            # the stage's own term (optional), counted as the administrator chooses
            self.fields[f"term_days_{stage}"] = forms.IntegerField(
                label=_("Term of the stage “%(stage)s”, days (empty: none)")
                % {"stage": STAGE_NAMES[stage]},
                min_value=1,
                max_value=1000,
                required=False,
            )
            self.fields[f"term_in_{stage}"] = forms.ChoiceField(
                label=_("The term of the stage “%(stage)s” is counted in")
                % {"stage": STAGE_NAMES[stage]},
                choices=TERM_UNITS,
                required=False,
            )
        self.fields["registry"].choices = [("", _("— none —"))] + [
            (r.code, str(r)) for r in Registry.objects.all()
        ]
        pairs = [(a, b) for i, a in enumerate(STAGES) for b in STAGES[i + 1 :]]
        self.fields["separation"].choices = [
            (f"{a}:{b}", f"{STAGE_NAMES[a]} — {STAGE_NAMES[b]}") for a, b in pairs
        ]


def _stage(data: dict, stage: str) -> dict:
    """A stage as the definition keeps it: its roles and, when given, its own term."""
    spec: dict = {"roles": data[f"roles_{stage}"]}
    if data.get(f"term_days_{stage}"):
        unit = data.get(f"term_in_{stage}") or "working"
        spec.update(term_days=data[f"term_days_{stage}"], term_in=unit)
    return spec


@staff_required(DESIGNERS)
def stages_page(request, code, number):
    version = version_for(request.user, code, number)
    workflow = version.workflow or {}
    stages = workflow.get("stages") or {}
    initial = {
        "revision": version.revision,
        "term_days": version.term_days,
        "term_in": workflow.get("term_in") or "working",
        "identity": version.identity,
        "result_types": version.result_types or [],
        "registry": version.registry,
        "separation": [f"{p[0]}:{p[1]}" for p in workflow.get("separation") or [] if len(p) == 2],
        **{f"roles_{s}": (stages.get(s) or {}).get("roles") or [] for s in STAGES},
        **{f"term_days_{s}": (stages.get(s) or {}).get("term_days") for s in STAGES},
        **{f"term_in_{s}": (stages.get(s) or {}).get("term_in") or "working" for s in STAGES},
    }
    form = StagesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            "term_days": data["term_days"],
            "identity": data["identity"],
            "result_types": data["result_types"],
            "registry": data["registry"],
            "workflow": {
                **workflow,
                "stages": {s: _stage(data, s) for s in STAGES},
                "separation": [pair.split(":") for pair in data["separation"]],
                "term_in": data["term_in"],
            },
        }
        if save_definition(request, version, changes):
            return redirect(request.path)
    return page(request, "stages.html", version, form=form)


class StatusTextsForm(TextsMixin, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    texts = STATUS_CODES
    texts_labels = {
        s: Application.Status(s).label for s in STATUS_CODES if s in Application.Status.values
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_texts()


@staff_required(DESIGNERS)
def texts_page(request, code, number):
    """What the applicant is told at each status, and the service's list of reasons for a
    return or a refusal (staff tick them; rules refuse with them)."""
    version = version_for(request.user, code, number)
    status_texts = version.status_texts or {}
    initial = {"revision": version.revision}
    for status in STATUS_CODES:
        initial.update(texts_initial(status, status_texts.get(status) or {}))
    form = StatusTextsForm(initial=initial)
    reasons = version.refusal_reasons or []

    def initial_of(reason):
        return {"code": reason.get("code", ""), **texts_initial("title", reason.get("title"))}

    rows = _rows(request, RowForm, reasons, initial_of)
    if request.method == "POST" and version.is_editable:
        form = StatusTextsForm(request.POST)
        rows_ok = all(f.is_valid() for f in rows if f.data.get(f"{f.prefix}-title_ru"))
        if form.is_valid() and rows_ok:
            kept = [
                f for f in rows if f.is_valid() and f.has_title() and not f.cleaned_data["remove"]
            ]
            taken = {f.cleaned_data["code"] for f in kept if f.cleaned_data["code"]}
            new_reasons = []
            for f in kept:
                reason_code = f.cleaned_data["code"] or new_code(
                    f.texts_of("title"), taken, "reason"
                )
                taken.add(reason_code)
                new_reasons.append({"code": reason_code, "title": f.texts_of("title")})
            changes = {
                "status_texts": {s: t for s in STATUS_CODES if (t := form.texts_of(s))},
                "refusal_reasons": new_reasons,
            }
            if save_definition(request, version, changes):
                return redirect(request.path)
    return page(request, "texts.html", version, form=form, rows=rows)
