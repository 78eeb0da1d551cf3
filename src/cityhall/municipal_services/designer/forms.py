"""The designer's forms: plain Django forms (they work without JavaScript), each turning what
an official chose from lists into a part of the definition. Texts come in three boxes side by
side, ru/tt/en (``<name>_ru``, ``<name>_tt``, ``<name>_en``); Russian is required."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..definition import LANGUAGES
from .fields import CONDITION_OPERATORS, FIELD_KINDS, FieldSpec, new_choice_code

__all__ = ["TextsMixin", "FieldForm", "texts_initial"]

LANGUAGE_NAMES = {"ru": _("Russian"), "tt": _("Tatar"), "en": _("English")}


def texts_initial(prefix: str, value: Any) -> dict[str, str]:
    value = value if isinstance(value, dict) else {"ru": str(value or "")}
    return {f"{prefix}_{lang}": value.get(lang, "") for lang in LANGUAGES}


class TextsMixin:
    """Adds ru/tt/en boxes for each name in ``texts`` (``texts_required`` need Russian)."""

    texts: tuple[str, ...] = ()
    texts_required: tuple[str, ...] = ()
    texts_labels: dict[str, Any] = {}
    texts_multiline: tuple[str, ...] = ()

    def add_texts(self) -> None:
        for name in self.texts:
            for lang in LANGUAGES:
                widget = forms.Textarea(attrs={"rows": 6}) if name in self.texts_multiline else None
                self.fields[f"{name}_{lang}"] = forms.CharField(
                    label=f"{self.texts_labels.get(name, name)} ({LANGUAGE_NAMES[lang]})",
                    required=lang == "ru" and name in self.texts_required,
                    max_length=8000 if name in self.texts_multiline else 300,
                    widget=widget,
                )

    def texts_of(self, name: str) -> dict[str, str]:
        return {
            lang: self.cleaned_data.get(f"{name}_{lang}", "").strip()
            for lang in LANGUAGES
            if self.cleaned_data.get(f"{name}_{lang}", "").strip()
        }

    @property
    def texts_field_names(self) -> set[str]:
        return {f"{name}_{lang}" for name in self.texts for lang in LANGUAGES}

    def text_rows(self) -> list[tuple[str, list]]:
        """(name, [bound fields ru, tt, en]) for the template's side-by-side rows."""
        return [
            (name, [self[f"{name}_{lang}"] for lang in LANGUAGES])
            for name in self.texts
            if f"{name}_ru" in self.fields
        ]


class FieldForm(TextsMixin, forms.Form):
    """One field of the form: its kind, texts, whether it is required, its checks and when it
    shows. Options are one per line, the lines of the three languages side by side."""

    texts = ("label", "help", "options", "item_label")
    texts_required = ("label",)
    texts_multiline = ("options",)
    texts_labels = {
        "label": _("Label"),
        "help": _("Help"),
        "options": _("Options, one a line"),
        "item_label": _("One item is called (for a repeating group, e.g. Room)"),
    }

    revision = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Kind of field"), choices=list(FIELD_KINDS.items()))
    required = forms.BooleanField(label=_("The applicant must answer"), required=False)
    unit = forms.CharField(label=_("Unit (for a number, e.g. m²)"), required=False, max_length=20)
    minimum = forms.FloatField(label=_("Smallest number allowed"), required=False)
    maximum = forms.FloatField(label=_("Largest number allowed"), required=False)
    whole = forms.BooleanField(label=_("Whole numbers only"), required=False)
    max_length = forms.IntegerField(
        label=_("Longest text allowed, characters"), required=False, min_value=1, max_value=8000
    )
    min_items = forms.IntegerField(
        label=_("Fewest items"), required=False, min_value=0, max_value=50
    )
    max_items = forms.IntegerField(label=_("Most items"), required=False, min_value=1, max_value=50)
    show_field = forms.ChoiceField(label=_("Show only when the field"), required=False)
    show_operator = forms.ChoiceField(
        label=_("Comparison"),
        required=False,
        choices=[("", "—")] + [(k, v[0]) for k, v in CONDITION_OPERATORS.items()],
    )
    show_value = forms.CharField(label=_("Value"), required=False, max_length=200)

    def __init__(self, *args, others: list[FieldSpec] = (), nested: bool = False, **kwargs):
        """``nested``: a field of a repeating group's item (which cannot be a group itself)."""
        super().__init__(*args, **kwargs)
        self.add_texts()
        if nested:
            self.fields["kind"].choices = [(k, v) for k, v in FIELD_KINDS.items() if k != "group"]
            for lang in LANGUAGES:
                del self.fields[f"item_label_{lang}"]
            del self.fields["min_items"], self.fields["max_items"]
        self.nested = nested
        self.others = {s.name: s for s in others}
        self.fields["show_field"].choices = [("", _("— always shown —"))] + [
            (s.name, s.label.get("ru") or s.name) for s in others
        ]

    def text_rows(self) -> list[tuple[str, list]]:
        """The texts every field has (the group's item word is shown with the group's part)."""
        return [row for row in super().text_rows() if row[0] != "item_label"]

    def item_label_rows(self) -> list[tuple[str, list]]:
        return [row for row in super().text_rows() if row[0] == "item_label"]

    @classmethod
    def initial_of(cls, spec: FieldSpec, revision: int) -> dict:
        data = {
            "revision": revision,
            "kind": spec.kind,
            "required": spec.required,
            "unit": spec.unit,
            "minimum": spec.minimum,
            "maximum": spec.maximum,
            "whole": spec.whole,
            "max_length": spec.max_length,
            **texts_initial("label", spec.label),
            **texts_initial("help", spec.help),
            **texts_initial("item_label", spec.item_label),
            "min_items": spec.min_items,
            "max_items": spec.max_items,
        }
        for lang in LANGUAGES:
            data[f"options_{lang}"] = "\n".join(t.get(lang, "") for _c, t in spec.choices)
        if spec.show_when:
            field_name, operator, value = spec.show_when
            data.update(show_field=field_name, show_operator=operator, show_value=value)
        return data

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("choice", "multiple_choice") and not self._option_lines("ru"):
            self.add_error("options_ru", _("List the options, one a line."))
        low, high = data.get("minimum"), data.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", _("The largest number is smaller than the smallest."))
        few, most = data.get("min_items"), data.get("max_items")
        if few is not None and most is not None and few > most:
            self.add_error("max_items", _("The most items is fewer than the fewest."))
        if data.get("show_field") and not data.get("show_operator"):
            self.add_error("show_operator", _("Choose how the field is compared."))
        comparing = data.get("show_field") and data.get("show_operator") not in ("yes", "no")
        if comparing and data.get("show_value", "") == "":
            self.add_error("show_value", _("Enter the value compared with."))
        return data

    def _option_lines(self, lang: str) -> list[str]:
        raw = self.cleaned_data.get(f"options_{lang}", "") or ""
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def to_spec(self, old: FieldSpec | None) -> FieldSpec:
        data = self.cleaned_data
        spec = FieldSpec(
            name=old.name if old else "",
            kind=data["kind"],
            label=self.texts_of("label"),
            help=self.texts_of("help"),
            required=data["required"],
            unit=data["unit"].strip(),
            minimum=data["minimum"],
            maximum=data["maximum"],
            whole=data["whole"],
            max_length=data["max_length"],
            custom_condition=old.custom_condition if old else None,
            error=old.error if old else {},
            min_items=data.get("min_items"),
            max_items=data.get("max_items"),
            item_label={} if self.nested else self.texts_of("item_label"),
        )
        lines = {lang: self._option_lines(lang) for lang in LANGUAGES}
        old_codes = [code for code, _t in (old.choices if old else [])]
        taken: set[str] = set()
        for i, ru in enumerate(lines["ru"]):
            texts = {"ru": ru}
            for lang in ("tt", "en"):
                if i < len(lines[lang]):
                    texts[lang] = lines[lang][i]
            code = old_codes[i] if i < len(old_codes) else new_choice_code(texts, taken, i + 1)
            taken.add(code)
            spec.choices.append((code, texts))
        if data.get("show_field"):
            spec.custom_condition = None
            spec.show_when = (
                data["show_field"],
                data["show_operator"],
                self._typed_value(data["show_field"], data.get("show_value", "")),
            )
        return spec

    def _typed_value(self, field_name: str, raw: str) -> Any:
        """The compared value as the other field stores it: a number for a number, an option's
        code for a choice (its words in any language are accepted)."""
        other = self.others.get(field_name)
        raw = (raw or "").strip()
        if other is None or self.cleaned_data.get("show_operator") in ("yes", "no"):
            return raw or None
        if other.kind == "number":
            try:
                number = float(raw.replace(",", "."))
                return int(number) if number.is_integer() else number
            except ValueError:
                return raw
        for code, texts in other.choices:
            if raw == code or raw.casefold() in {t.casefold() for t in texts.values()}:
                return code
        return raw
