"""The designer's rule builder and result-template pages. Rules: each a variant, all/any of
up to three conditions on the form's fields and an outcome, with the JSON Logic it produces
shown. Template: title and body per language side by side, fields inserted from a list (the
server inserts them without JavaScript; the script puts them at the cursor), and a preview
rendered with sample answers."""

from __future__ import annotations

import json

from django import forms
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.permissions import staff_required

from ..definition import LANGUAGES, text_in
from ..designer.fields import CONDITION_OPERATORS, field_specs, group_definition
from ..designer.forms import LANGUAGE_NAMES, TextsMixin, texts_initial
from ..designer.rules import OUTCOMES, BuiltRule, built_rule, rule_of
from ..designer.template_check import CONTEXT_NAMES, render_body, sample_context, template_problems
from .designer import DESIGNERS, page, save_definition, version_for

__all__ = ["rules_page", "template_page"]

CONDITIONS = 3
#: What an example expects of its variant: decided automatically, refused, or neither.
EXPECTED_DECISIONS = {
    "approve": _("approved automatically"),
    "refuse": _("refused automatically"),
    "": _("no automatic decision (to an expert)"),
}
CONTEXT_LABELS = {
    "number": _("Number of the result"),
    "application_number": _("Number of the application"),
    "date": _("Date of issue"),
    "service": _("Name of the service"),
    "title": _("Title of the document"),
    "holder": _("Applicant"),
    "department": _("Department"),
    "variant": _("Variant"),
    "reasons": _("Reasons (a list)"),
}


class RuleForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, required=False)
    variant = forms.ChoiceField(label=_("Variant"))
    match = forms.ChoiceField(
        label=_("Conditions"),
        choices=[("all", _("all conditions hold")), ("any", _("any condition holds"))],
    )
    outcome = forms.ChoiceField(label=_("Then"), choices=list(OUTCOMES.items()))
    reason_code = forms.ChoiceField(label=_("Reason of the refusal"), required=False)
    clear_examples = forms.BooleanField(label=_("Forget this rule's examples"), required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def __init__(self, *args, variants=(), fields=(), reasons=(), example_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        # a new rule is added only when its variant is chosen
        self.fields["variant"].choices = [("", "—"), *variants]
        self.fields["reason_code"].choices = [("", "—"), *reasons]
        self.specs = {s.name: s for s in fields}
        for n in range(1, CONDITIONS + 1):
            self.fields[f"field{n}"] = forms.ChoiceField(
                label=_("Field"),
                required=False,
                choices=[("", "—")] + [(s.name, s.label.get("ru") or s.name) for s in fields],
            )
            self.fields[f"operator{n}"] = forms.ChoiceField(
                label=_("Comparison"),
                required=False,
                choices=[(k, v[0]) for k, v in CONDITION_OPERATORS.items()],
            )
            self.fields[f"value{n}"] = forms.CharField(label=_("Value"), required=False)
        self.example_fields = [s for s in fields if s.name in set(example_fields)]
        self.expectations = [
            (f"{code}:{decision}", f"{title} — {words}")
            for code, title in variants
            for decision, words in EXPECTED_DECISIONS.items()
        ]
        self.fields["examples"] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=0, max_value=30
        )
        for k in range(self._example_count()):
            self._add_example_fields(k)
        if not self.is_bound:
            self.initial["examples"] = self._example_count()

    def _example_count(self) -> int:
        """Rows of examples: those posted, else the stored ones and one empty row to add."""
        if self.is_bound:
            raw = self.data.get(f"{self.prefix}-examples") or "0"
            return min(int(raw), 30) if raw.isdigit() else 0
        return len(self.initial.get("example_rows") or []) + 1

    def _add_example_fields(self, k: int) -> None:
        """An example: its name, a sample answer per field the rules read, the expected
        outcome, and "remove"."""
        self.fields[f"ex{k}_title"] = forms.CharField(
            label=_("Name of the example"), required=False, max_length=200
        )
        for spec in self.example_fields:
            name = f"ex{k}_{spec.name}"
            if spec.kind == "yes_no":
                choices = [("", "—"), ("yes", _("yes")), ("no", _("no"))]
                self.fields[name] = forms.ChoiceField(
                    label=spec.label.get("ru") or spec.name, required=False, choices=choices
                )
            elif spec.kind == "choice":
                choices = [("", "—")] + [(c, t.get("ru") or c) for c, t in spec.choices]
                self.fields[name] = forms.ChoiceField(
                    label=spec.label.get("ru") or spec.name, required=False, choices=choices
                )
            else:
                self.fields[name] = forms.CharField(
                    label=spec.label.get("ru") or spec.name, required=False, max_length=200
                )
        self.fields[f"ex{k}_expect"] = forms.ChoiceField(
            label=_("Expected outcome"), required=False, choices=[("", "—"), *self.expectations]
        )
        self.fields[f"ex{k}_remove"] = forms.BooleanField(
            label=_("Remove the example"), required=False
        )
        row = (self.initial.get("example_rows") or [])[k : k + 1]
        for key, value in (row[0] if row else {}).items():
            self.initial[f"ex{k}_{key}"] = value

    def example_rows(self):
        """Per example: its name, its answers' boxes, the expected outcome and "remove"."""
        return [
            (
                self[f"ex{k}_title"],
                [self[f"ex{k}_{s.name}"] for s in self.example_fields],
                self[f"ex{k}_expect"],
                self[f"ex{k}_remove"],
            )
            for k in range(self._example_count())
        ]

    def _examples(self, old: BuiltRule | None) -> list:
        """The examples posted; a post without the examples' rows (a client that does not
        edit them) keeps the stored ones."""
        if f"{self.prefix}-examples" not in self.data:
            return old.examples if old else []
        return self.examples_of()

    def examples_of(self) -> list[dict]:
        """The examples as the definition keeps them (rows without an expected outcome, or
        marked "remove", left out)."""
        data, result = self.cleaned_data, []
        for k in range(self._example_count()):
            expect = data.get(f"ex{k}_expect") or ""
            if not expect or data.get(f"ex{k}_remove"):
                continue
            answers = {}
            for spec in self.example_fields:
                raw = data.get(f"ex{k}_{spec.name}") or ""
                if raw == "":
                    continue
                if spec.kind == "yes_no":
                    answers[spec.name] = raw == "yes"
                else:
                    answers[spec.name] = self._typed(spec.name, "eq", raw)
            variant, decision = expect.split(":", 1)
            example = {"input": answers, "variant": variant, "decision": decision}
            if data.get(f"ex{k}_title", "").strip():
                example["title"] = data[f"ex{k}_title"].strip()
            result.append(example)
        return result

    def condition_rows(self):
        return [
            (self[f"field{n}"], self[f"operator{n}"], self[f"value{n}"])
            for n in range(1, CONDITIONS + 1)
        ]

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "refuse" and not data.get("reason_code"):
            self.add_error("reason_code", _("Choose the reason from the service's list."))
        return data

    def _typed(self, name: str, operator: str, raw: str):
        spec = self.specs.get(name)
        raw = (raw or "").strip()
        if operator in ("yes", "no"):
            return None
        if spec is not None and spec.kind == "number":
            try:
                number = float(raw.replace(",", "."))
                return int(number) if number.is_integer() else number
            except ValueError:
                return raw
        if spec is not None:
            for code, texts in spec.choices:
                if raw == code or raw.casefold() in {t.casefold() for t in texts.values()}:
                    return code
        return raw

    def built(self, old: BuiltRule | None) -> BuiltRule:
        data = self.cleaned_data
        conditions = []
        for n in range(1, CONDITIONS + 1):
            if data.get(f"field{n}"):
                operator = data[f"operator{n}"]
                value = self._typed(data[f"field{n}"], operator, data.get(f"value{n}", ""))
                conditions.append((data[f"field{n}"], operator, value))
        return BuiltRule(
            code=data["code"],
            variant=data["variant"],
            match=data["match"],
            conditions=conditions,
            outcome=data["outcome"],
            reason_code=data.get("reason_code", ""),
            examples=[] if data["clear_examples"] else self._examples(old),
        )


def _example_row(example: dict, specs) -> dict:
    """A stored example as the example's boxes show it (a choice by its words, yes/no)."""
    row = {
        "title": str(example.get("title") or ""),
        "expect": f"{example.get('variant', '')}:{example.get('decision', '')}",
    }
    by_name = {s.name: s for s in specs}
    for name, value in (example.get("input") or {}).items():
        spec = by_name.get(name)
        if spec is not None and spec.kind == "yes_no":
            row[name] = "yes" if value else "no"
        elif spec is not None and spec.kind != "choice":
            row[name] = "" if value is None else str(value)
        else:
            row[name] = value
    return row


def _example_fields(definition: dict, specs) -> list[str]:
    """The fields an example answers: those the variants' rules may read (their closed
    questions) and any a stored example answers, in the form's order; never a group."""
    names = {p for v in definition.get("variants") or [] for p in (v.get("parameters") or [])}
    for rule in definition.get("rules") or []:
        examples = (rule.get("examples") or []) if isinstance(rule, dict) else []
        for example in examples:
            if isinstance(example, dict) and isinstance(example.get("input"), dict):
                names.update(example["input"].keys())
    return [s.name for s in specs if s.name in names and s.kind != "group"]


def _initial(rule: BuiltRule, specs) -> dict:
    initial = {
        "code": rule.code,
        "variant": rule.variant,
        "match": rule.match,
        "outcome": rule.outcome,
        "reason_code": rule.reason_code,
        "example_rows": [_example_row(e, specs) for e in rule.examples if isinstance(e, dict)],
    }
    by_name = {s.name: s for s in specs}
    for n, (name, operator, value) in enumerate(rule.conditions[:CONDITIONS], start=1):
        spec = by_name.get(name)
        label = next((t.get("ru") for c, t in spec.choices if c == value), None) if spec else None
        initial.update({f"field{n}": name, f"operator{n}": operator, f"value{n}": label or value})
    return initial


@staff_required(DESIGNERS)
def rules_page(request, code, number):
    version = version_for(request.user, code, number)
    definition = version.definition()
    specs = field_specs(definition)
    variants = {v.get("code"): v for v in definition.get("variants") or [] if isinstance(v, dict)}
    reasons = {
        r.get("code"): r for r in definition.get("refusal_reasons") or [] if isinstance(r, dict)
    }
    options = {
        "variants": [(c, text_in(v.get("title")) or c) for c, v in variants.items()],
        "fields": specs,
        "reasons": [(c, text_in(r.get("title")) or c) for c, r in reasons.items()],
        "example_fields": _example_fields(definition, specs),
    }
    stored = [built_rule(r) for r in definition.get("rules") or [] if isinstance(r, dict)]
    editable = [r for r in stored if r.editable]
    if request.method == "POST":
        count = min(int(request.POST.get("rows", "0") or 0), 100)
        forms_ = [RuleForm(request.POST, prefix=f"r{i}", **options) for i in range(count)]
    else:
        forms_ = [
            RuleForm(prefix=f"r{i}", initial=_initial(r, specs), **options)
            for i, r in enumerate(editable)
        ]
        forms_.append(
            RuleForm(prefix=f"r{len(editable)}", initial={"outcome": "expert"}, **options)
        )
    if request.method == "POST" and version.is_editable:
        used = [
            f
            for f in forms_
            if f.data.get(f"{f.prefix}-variant") and not f.data.get(f"{f.prefix}-remove")
        ]
        if all(f.is_valid() for f in used):
            by_code = {r.code: r for r in editable}
            taken = {r.code for r in stored}
            rules = [r.original for r in stored if not r.editable]  # kept as written, first
            for f in used:
                old = by_code.get(f.cleaned_data["code"])
                built = f.built(old)
                if not built.code:
                    built.code, n = f"rule-{len(taken) + 1}", len(taken) + 1
                    while built.code in taken:
                        n += 1
                        built.code = f"rule-{n}"
                    taken.add(built.code)
                rules.append(rule_of(built, variants=variants, reasons=reasons))
            if save_definition(request, version, {"rules": rules}):
                return redirect(request.path)
    logic = [
        (
            text_in(variants.get(r.get("variant"), {}).get("title")) or r.get("variant"),
            json.dumps(r.get("when", True), ensure_ascii=False, indent=1),
            r.get("code"),
        )
        for r in definition.get("rules") or []
    ]
    kept = [r for r in stored if not r.editable]
    return page(request, "rules.html", version, forms=forms_, logic=logic, kept=kept)


class TemplateForm(TextsMixin, forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    texts = ("title", "body")
    texts_required = ("title", "body")
    texts_multiline = ("body",)
    texts_labels = {"title": _("Title of the document"), "body": _("Text of the document")}
    insert = forms.ChoiceField(label=_("Insert"), required=False)
    insert_language = forms.ChoiceField(
        label=_("into the text in"), required=False, choices=list(LANGUAGE_NAMES.items())
    )

    def __init__(self, *args, placeholders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_texts()
        self.fields["insert"].choices = [("", "—"), *placeholders]


def placeholders(definition: dict) -> list[tuple[str, str]]:
    """What a template may insert: the result's own variables and every form field."""
    result = [
        ("{{ " + name + " }}", str(CONTEXT_LABELS[name]))
        for name in CONTEXT_NAMES
        if name in CONTEXT_LABELS
    ]
    for spec in field_specs(definition):
        label = f"{_('Answer')}: {spec.label.get('ru') or spec.name}"
        if spec.kind == "group":
            # a repeating group: a loop printing each item's answers on its own line
            subs = field_specs(group_definition(definition, spec.name))
            line = ", ".join("{{ item." + sub.name + " }}" for sub in subs) or "{{ item }}"
            loop = "{% for item in answers." + spec.name + " %}" + line + "\n{% endfor %}"
            result.append((loop, f"{label} ({_('each item')})"))
        else:
            result.append(("{{ answers." + spec.name + " }}", label))
    return result


@staff_required(DESIGNERS)
def template_page(request, code, number):
    version = version_for(request.user, code, number)
    definition = version.definition()
    template = definition.get("result_template") or {}
    initial = {
        "revision": version.revision,
        **texts_initial("title", template.get("title")),
        **texts_initial("body", template.get("body")),
    }
    choices = placeholders(definition)
    form = TemplateForm(initial=initial, placeholders=choices)
    if request.method == "POST" and version.is_editable:
        form = TemplateForm(request.POST, placeholders=choices)
        if request.POST.get("action") == "insert":
            # without JavaScript: the chosen field is added at the end of the chosen text
            data = request.POST.copy()
            language = data.get("insert_language") or "ru"
            if data.get("insert"):
                data[f"body_{language}"] = (
                    data.get(f"body_{language}", "") + " " + data["insert"]
                ).strip()
            form = TemplateForm(data, placeholders=choices)
            form.is_valid()
        elif form.is_valid():
            changes = {
                "result_template": {
                    **template,
                    "title": form.texts_of("title"),
                    "body": form.texts_of("body"),
                }
            }
            if save_definition(request, version, changes):
                return redirect(request.path)
    previews = []
    for language in LANGUAGES:
        source = (
            (template.get("body") or {}).get(language)
            if isinstance(template.get("body"), dict)
            else None
        )
        if source:
            with translation.override(language):  # sample words in the document's language
                context = sample_context(definition, language, version.service.title(language))
            body, error = render_body(source, context)
            previews.append((LANGUAGE_NAMES[language], body, error))
    return page(
        request,
        "template.html",
        version,
        form=form,
        previews=previews,
        problems=template_problems(definition),
    )
