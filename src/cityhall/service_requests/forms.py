"""Forms of the request pages. They parse; the services validate the domain rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ApplicantKind, Status


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [d for d in data if d]
        return [data] if data else []


class RequestForm(forms.Form):
    """The resident's web form (and the call centre's, with the caller fields)."""

    category = forms.CharField(label=_("What is the problem?"), required=False, widget=forms.Select)
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=300,
        help_text=_("Street and house, e.g. “Baumana 5”. Or give a point on the map below."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    building = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    lat = forms.CharField(label=_("Latitude"), required=False, max_length=30)
    lon = forms.CharField(label=_("Longitude"), required=False, max_length=30)
    description = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
    )
    description_private = forms.BooleanField(
        label=_("Keep my description private"),
        help_text=_(
            "Only the people handling the request will read it; the public page then shows "
            "the problem, the address and the status without your words."
        ),
        required=False,
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        help_text=_("Up to 5 JPEG, PNG or WebP images, 5 MB each."),
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )
    photos_public = forms.BooleanField(
        label=_("Show my photos to everyone"),
        help_text=_(
            "Not ticked (the default): only you and the people handling the request see your "
            "photos. Ticked: anyone may see them on the request's page, on the map and in the "
            "city's open data. Leave out faces, car numbers and the inside of homes."
        ),
        required=False,
    )
    photo_location = forms.BooleanField(
        label=_("Use the place where the photo was taken"),
        help_text=_(
            "If you give no address or point, the request is placed where your photo was taken "
            "(read from the photo; the position is then removed from the stored photo anyway)."
        ),
        required=False,
    )
    contact_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_kind = forms.ChoiceField(
        label=_("I report as"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question_errors: dict = {}
        self.fields["category"].widget.choices = [("", _("— choose —"))] + [
            (c.code, c.name + (" — " + str(_("emergency")) if c.is_emergency else ""))
            for c in categories
        ]

    def add_domain_errors(self, fields: dict) -> None:
        """Domain field errors on the form; answers to the category's questions
        (``attribute[code]``) are kept in ``question_errors`` and shown by each question."""
        self.question_errors = {k: v for k, v in fields.items() if k.startswith("attribute[")}
        if self.question_errors:
            self.add_error(None, _("Answer the questions about the problem below."))
        for name, messages in fields.items():
            if name in self.question_errors:
                continue
            target = name if name in self.fields else None
            if name in ("location",):
                target = "address"
            for message in messages:
                self.add_error(target, message if target else f"{name}: {message}")


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    report = forms.CharField(
        label=_("Report on the work done"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organisation = forms.IntegerField(required=False, widget=forms.HiddenInput)
    photos = MultiplePhotoField(label=_("Photos of the result"))


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultiplePhotoField(label=_("Photos"))


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How well was your problem solved?"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Comment (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
