"""The address search form (GET: works without JavaScript and can be bookmarked)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Address"),
        max_length=200,
        help_text=_("Street and house number, for example: Баумана 5"),
        widget=forms.TextInput(attrs={"autocomplete": "street-address", "inputmode": "search"}),
    )
