from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SupportTicket


class SupportTicketForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail for the answer"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=SupportTicket.Topic.choices)
    message = forms.CharField(label=_("Message"), max_length=5000, widget=forms.Textarea)
    page_url = forms.CharField(required=False, widget=forms.HiddenInput)


class SupportAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=5000,
        widget=forms.Textarea,
        help_text=_(
            "Sent by e-mail to the address in the ticket and kept in the author's cabinet."
        ),
    )
