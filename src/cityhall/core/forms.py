"""What every form shares: a blank option that says what it means, in the reader's language.

Django's blank option of a select reads "---------" in every language (``ModelChoiceField``'s
default ``empty_label`` and a model field's ``BLANK_CHOICE_DASH``): a screen reader says
"dash dash dash", and nothing is translated. A form that mixes in :class:`NamedBlankChoice`
shows "— choose —" instead (an explicit ``empty_label`` such as "All districts" is kept).
"""

from __future__ import annotations

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

__all__ = ["BLANK_PLACEHOLDER", "NamedBlankChoice", "name_blank_choices"]

BLANK_PLACEHOLDER = _("— choose —")
_DASHES = BLANK_CHOICE_DASH[0][1]


def name_blank_choices(form: forms.BaseForm, placeholder=BLANK_PLACEHOLDER) -> None:
    """Replace Django's "---------" blank option of every select in ``form``."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == _DASHES:
                field.empty_label = placeholder
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if choices and choices[0] == ("", _DASHES):
                field.choices = [("", placeholder), *choices[1:]]


class NamedBlankChoice:
    """Mix into a form (before ``forms.Form``/``forms.ModelForm``): see the module docstring."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_blank_choices(self)
