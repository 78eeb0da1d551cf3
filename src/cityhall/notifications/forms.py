from __future__ import annotations

from django import forms

from .selectors import ChannelChoice


class ChannelPreferencesForm(forms.Form):
    """One checkbox per channel the person can use; the cabinet is always on (not a field)."""

    def __init__(self, *args, choices: list[ChannelChoice], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.choices = choices
        for choice in choices:
            if choice.required or not choice.available:
                continue
            self.fields[choice.code] = forms.BooleanField(
                label=choice.label, help_text=choice.help, required=False, initial=choice.enabled
            )
