"""The catalogue editor's forms: what the screen offers (lists, not codes) and how a service's
field errors land beside the field they name. The rules live in
:mod:`cityhall.service_requests.services.catalogue_editing`; these only read the page.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RESPONSIBLE_TYPES, TIMED_STATUSES
from .services import catalogue_editing as editing

__all__ = ["DraftDetailsForm", "QuestionForm", "apply_errors"]


def apply_errors(form: forms.Form, fields: dict) -> None:
    """Put a domain error's messages beside the form's fields (the rest above the form)."""
    for name, problems in fields.items():
        target = name if name in form.fields else None
        for problem in problems:
            form.add_error(target, str(problem))


class DraftDetailsForm(forms.Form):
    """A category's texts, responsible organisation type and stage limits."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    code = forms.CharField(
        label=_("Code"),
        required=False,
        max_length=50,
        help_text=_(
            "Latin letters, digits and underscores; used in files and Open311. Leave empty to "
            "make it from the English name. It cannot change once published."
        ),
    )
    name_ru = forms.CharField(label=_("Name (Russian)"), required=False, max_length=200)
    name_tt = forms.CharField(label=_("Name (Tatar)"), required=False, max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), required=False, max_length=200)
    group = forms.CharField(
        label=_("Group"),
        required=False,
        max_length=100,
        help_text=_("Categories of one group are listed together (for example “Heating”)."),
    )
    responsible_type = forms.ChoiceField(
        label=_("Responsible organisation type"),
        required=False,
        choices=[("", _("— choose —")), *RESPONSIBLE_TYPES],
        help_text=_("Requests go to the organisation of this type that serves the address."),
    )
    is_active = forms.BooleanField(label=_("Offered to residents"), required=False)
    is_emergency = forms.BooleanField(
        label=_("Emergency"),
        required=False,
        help_text=_(
            "Shown first, with the guidance below; every stage then needs a limit in calendar time."
        ),
    )
    guidance_ru = forms.CharField(
        label=_("Guidance for residents (Russian)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to do right now, shown before the form of an emergency category."),
    )
    guidance_tt = forms.CharField(
        label=_("Guidance for residents (Tatar)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    guidance_en = forms.CharField(
        label=_("Guidance for residents (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, new_category: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not new_category:
            del self.fields["code"]
        for stage in TIMED_STATUSES:
            self.fields[f"amount_{stage.value}"] = forms.CharField(
                label=_("Limit: %(stage)s") % {"stage": stage.label},
                required=False,
                max_length=6,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
                help_text=_("Empty: no limit at this stage."),
            )
            self.fields[f"unit_{stage.value}"] = forms.ChoiceField(
                label=_("Unit"), choices=editing.unit_choices, required=False
            )
            self.fields[f"kind_{stage.value}"] = forms.ChoiceField(
                label=_("Time"), choices=editing.time_kind_choices, required=False
            )

    @staticmethod
    def initial_for(draft) -> dict:
        initial = {name: getattr(draft, name) for name in editing.DETAIL_FIELDS}
        initial |= {"code": draft.code, "revision": draft.revision}
        for stage in TIMED_STATUSES:
            pair = draft.limits.get(stage.value)
            unit, kind = editing.limit_parts(pair[1]) if pair else ("days", "working")
            initial |= {
                f"amount_{stage.value}": str(pair[0]) if pair else "",
                f"unit_{stage.value}": unit,
                f"kind_{stage.value}": kind,
            }
        return initial

    def limit_rows(self) -> list[dict]:
        return [
            {
                "stage": stage,
                "amount": self[f"amount_{stage.value}"],
                "unit": self[f"unit_{stage.value}"],
                "kind": self[f"kind_{stage.value}"],
            }
            for stage in TIMED_STATUSES
        ]

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in editing.DETAIL_FIELDS} | {
            name: (self.cleaned_data.get(name) or "").strip()
            for name in editing.DETAIL_FIELDS
            if name not in ("is_emergency", "is_active")
        }

    def limits(self) -> dict:
        """Stage → ``[amount, unit]`` or None; a limit that cannot be read is a field error
        on its amount (and the form becomes invalid)."""
        limits = {}
        for stage in TIMED_STATUSES:
            pair, problems = editing.limit_from_parts(
                stage=stage.value,
                amount=self.cleaned_data.get(f"amount_{stage.value}", ""),
                unit=self.cleaned_data.get(f"unit_{stage.value}", ""),
                kind=self.cleaned_data.get(f"kind_{stage.value}", ""),
            )
            for problem in problems:
                self.add_error(f"amount_{stage.value}", problem)
            limits[stage.value] = pair
        return limits


class QuestionForm(forms.Form):
    """A question in three languages, its kind of answer and, for a list, its answers."""

    revision = forms.IntegerField(widget=forms.HiddenInput)
    wording_ru = forms.CharField(label=_("Question (Russian)"), required=False, max_length=300)
    wording_tt = forms.CharField(label=_("Question (Tatar)"), required=False, max_length=300)
    wording_en = forms.CharField(label=_("Question (English)"), required=False, max_length=300)
    datatype = forms.ChoiceField(label=_("Kind of answer"), choices=editing.datatype_choices)
    required = forms.BooleanField(label=_("The resident must answer"), required=False)
