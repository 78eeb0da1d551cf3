"""Forms of the desks: the project's sections, the questions desk's bulk actions and the
moderators' bulk actions. The services check the rules; these parse the input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AnswerTemplate, ModerationReason

__all__ = ["BulkAnswerForm", "BulkModerationForm", "SectionsForm"]


class SectionsForm(forms.Form):
    """One section per line: its reference in the document, a vertical bar, its title."""

    sections = forms.CharField(
        label=_("Sections of the project"),
        help_text=_("One per line: section or page | title, e.g. «3.2 | Transport»."),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=30000,
    )

    def clean_sections(self) -> list[tuple[str, str]]:
        pairs = []
        for line in self.cleaned_data["sections"].splitlines():
            if not line.strip():
                continue
            reference, bar, title = line.partition("|")
            if not bar:
                raise forms.ValidationError(
                    _("Separate the section and its title with «|»: %(line)s") % {"line": line[:80]}
                )
            pairs.append((reference.strip(), title.strip()))
        return pairs


class BulkAnswerForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Answer template"), queryset=AnswerTemplate.objects.none(), required=False
    )
    text = forms.CharField(
        label=_("Public answer to the questions chosen"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        help_text=_("Left empty, the template's text is the answer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = AnswerTemplate.objects.all()

    def answer_text(self) -> str:
        data = self.cleaned_data
        if data.get("text", "").strip():
            return data["text"]
        return data["template"].text if data.get("template") else ""


class BulkModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("What to do with the items chosen"),
        choices=[
            ("hide", _("Hide")),
            ("restore", _("Restore")),
            ("dismiss", _("Nothing wrong (dismiss the reports)")),
        ],
    )
    reason = forms.ChoiceField(
        label=_("Reason (to hide)"),
        choices=[("", "—"), *ModerationReason.choices],
        required=False,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
