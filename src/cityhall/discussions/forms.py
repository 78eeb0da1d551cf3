"""Forms of the discussion pages (parsing only; the rules live in services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from cityhall.accounts.models import Role
from cityhall.core.forms import NamedBlankChoice
from cityhall.geo.models import District, Suburb

from .models import (
    Discussion,
    DiscussionDocument,
    DocumentType,
    InitiationRequest,
    ModerationReason,
    Proposal,
    Status,
)
from .uploads import attachment_types, document_types


class SuburbChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.district.display_name})"


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("All districts"),
    )
    suburb = SuburbChoiceField(
        label=_("Suburb"),
        queryset=Suburb.objects.select_related("district").order_by("district__name", "name"),
        required=False,
        empty_label=_("Any suburb"),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=200,
        help_text=_("Discussions whose territory includes this address."),
        widget=forms.TextInput(
            attrs={"autocomplete": "street-address", "data-address-suggest": "1"}
        ),
    )
    document_type = forms.ModelChoiceField(
        label=_("Document type"),
        queryset=DocumentType.objects.all(),
        required=False,
        empty_label=_("All document types"),
    )
    status = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Any"))] + [c for c in Status.choices if c[0] != Status.DRAFT],
    )
    date_from = forms.DateField(
        label=_("Notice from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Notice to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ProposalPlaceForm(forms.Form):
    """The place a proposal is about (optional; ADR 0028), in the resident's proposal form and
    the staff's form for paper and oral proposals alike: an address without JavaScript; the
    map on the page (``discussions/_place_fieldset.html``, ``proposal_place.js``) fills the
    hidden point or area instead. The service checks it (``proposal_places.check_place``).

    ``PLACE_ADDRESS`` names the address field: ``address`` in the resident's form; the staff's
    form has the person's own address under that name."""

    PLACE_ADDRESS = "address"

    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    area = forms.JSONField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.PLACE_ADDRESS] = forms.CharField(
            label=_("Address of the place it is about (optional)"),
            required=False,
            max_length=300,
            help_text=_("Or choose a point or draw an area on the map."),
        )

    def place(self) -> dict:
        """The place's cleaned fields as the services take them (``address`` for the
        resident's, ``place_address`` for the staff's)."""
        data = self.cleaned_data
        return {
            "lat": data["lat"],
            "lon": data["lon"],
            "area": data["area"],
            self.PLACE_ADDRESS: data[self.PLACE_ADDRESS],
        }

    @property
    def place_address(self):
        return self[self.PLACE_ADDRESS]

    def other_fields(self) -> list:
        """The fields shown before the place's fieldset."""
        shown_beside_the_map = {self.PLACE_ADDRESS, "lat", "lon", "area"}
        return [f for f in self if f.name not in shown_beside_the_map]

    def place_errors(self) -> list[str]:
        """Errors of the point and the area, said next to the map."""
        return [e for name in ("lat", "lon", "area") for e in self.errors.get(name, ())]


class ProposalForm(ProposalPlaceForm):
    kind = forms.ChoiceField(label=_("What are you submitting?"), choices=Proposal.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=20000)
    #: Its accepted types and size are the file service's for the purpose (set in __init__).
    attachments = forms.FileField(label=_("Attachment (optional)"), required=False)
    section = forms.ModelChoiceField(
        label=_("Section or page of the project it is about (optional)"),
        queryset=None,
        required=False,
    )

    def __init__(
        self, *args, discussion=None, capacities: list[tuple[str, str]] = (), **kwargs
    ) -> None:
        """The section choice appears when the organiser listed the project's sections.
        ``capacities``: (on_behalf, label) the person may act in; a choice is asked only when
        there are two or more (as themself, for a company they represent)."""
        from .models import DocumentSection

        super().__init__(*args, **kwargs)
        offer_types(self.fields["attachments"], attachment_types())
        sections = DocumentSection.objects.filter(discussion=discussion).order_by("position")
        order = ["kind"]
        if discussion is None or not sections.exists():
            del self.fields["section"]
        else:
            self.fields["section"].queryset = sections
            order.append("section")
        if len(capacities) > 1:
            self.fields["on_behalf"] = forms.ChoiceField(
                label=_("On whose behalf"),
                choices=list(capacities),
                initial=capacities[0][0],
                widget=forms.RadioSelect,
            )
            order.insert(0, "on_behalf")
        self.order_fields(order)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Your comment"), widget=forms.Textarea, max_length=5000)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ModerationReason.choices)
    note = forms.CharField(label=_("Comment (optional)"), required=False, max_length=500)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Public answer"), widget=forms.Textarea)


class SubscriptionForm(forms.Form):
    """One territory (district, suburb, or an address / map point) and an optional topic.

    Without JavaScript the person types an address; with it, the address field suggests
    buildings and a click on the map fills ``lat``/``lon``. The service checks the rest."""

    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("All districts"),
    )
    suburb = SuburbChoiceField(
        label=_("Suburb"),
        queryset=Suburb.objects.select_related("district").order_by("district__name", "name"),
        required=False,
        empty_label=_("Any suburb"),
    )
    address = forms.CharField(
        label=_("Or an address"),
        required=False,
        max_length=200,
        help_text=_(
            "News of discussions whose territory includes this address. Street and house "
            "number, for example: Баумана 5."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "street-address", "data-address-suggest": "1"}
        ),
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    document_type = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=DocumentType.objects.all(),
        required=False,
        empty_label=_("All topics"),
    )


class InitiationForm(NamedBlankChoice, forms.ModelForm):
    class Meta:
        model = InitiationRequest
        fields = [
            "initiator_kind",
            "organiser",
            "document_type",
            "title",
            "description",
            "territory_description",
        ]


def officials(organisation=None):
    """Who may be chosen as the responsible official: staff who may sign for an organiser
    (the service checks the discussion's own organiser)."""
    qs = get_user_model().objects.filter(memberships__role__in=(Role.ORGANISER, Role.ADMINISTRATOR))
    if organisation is not None:
        qs = qs.filter(memberships__organisation=organisation)
    return qs.distinct().order_by("last_name", "first_name", "username")


class SignerForm(NamedBlankChoice, forms.Form):
    responsible_official = forms.ModelChoiceField(
        label=_("Responsible official"), queryset=get_user_model().objects.none()
    )
    responsible_official_position = forms.CharField(
        label=_("Position of the responsible official"), max_length=300
    )

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_official"].queryset = officials(organisation)


class DiscussionForm(NamedBlankChoice, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Discussion
        fields = [
            "title",
            "description",
            "document_type",
            "organiser",
            "responsible_official",
            "responsible_official_position",
            "with_meeting",
            "exposition_place",
            "districts",
            "territory_description",
            "allow_residents",
            "allow_right_holders",
            "allow_legal_entities",
            "open_to_all_verified",
            "min_age",
            "max_age",
            "notice_date",
            "exposition_start",
            "exposition_end",
            "proposal_deadline",
            "conclusion_due",
        ]
        widgets = {
            "notice_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "exposition_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "conclusion_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "exposition_start": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "proposal_deadline": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_official"].queryset = officials(
            self.instance.organiser if self.instance.organiser_id else None
        )


def offer_types(field: forms.FileField, accepted) -> None:
    """Name the file service's accepted types and size beside ``field`` and offer only those
    to the file chooser, so a form never says fewer or other types than are taken."""
    field.help_text = _("Accepted types: %(types)s; up to %(size)s MB.") % {
        "types": accepted.names,
        "size": accepted.max_mb,
    }
    field.widget.attrs["accept"] = accepted.accept


class DocumentUploadForm(forms.Form):
    document = forms.ModelChoiceField(
        label=_("Correct an existing document"),
        queryset=DiscussionDocument.objects.none(),
        required=False,
        empty_label=_("— a new document —"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=DiscussionDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    note = forms.CharField(label=_("What changed"), required=False, max_length=500)
    #: Its accepted types and size are the file service's for documents (set in __init__).
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, discussion=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_types(self.fields["file"], document_types())
        if discussion is not None:
            self.fields["document"].queryset = discussion.documents.all()


class OfflineProposalForm(ProposalPlaceForm):
    """A paper or oral proposal: the person as identified by staff, and the place it is about
    as in the resident's form (``place_address``: the person's ``address`` is where they
    live)."""

    PLACE_ADDRESS = "place_address"

    channel = forms.ChoiceField(
        label=_("Received"),
        choices=[c for c in Proposal.Channel.choices if c[0] not in ("web", "bulk_import")],
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    full_name = forms.CharField(label=_("Full name"), max_length=400)
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    document_number = forms.CharField(label=_("Identity document number"), max_length=40)
    address = forms.CharField(label=_("Registered address"), max_length=300)
    email = forms.EmailField(label=_("E-mail for the receipt (optional)"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Proposal.Kind.choices)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        help_text=_(
            "Columns: full_name, birth_date, document_number, address, kind, text. Optional, "
            "the place a proposal is about: place_address, or lat and lon (degrees)."
        ),
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=_("Place"), max_length=300)
    attendees = forms.IntegerField(label=_("Attendees"), required=False, min_value=0)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea, required=False)


def parse_numbers(text: str) -> list[int]:
    """Numbers and ranges as staff type them ("1, 4, 10-25"), sorted, each once."""
    numbers: set[int] = set()
    try:
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "-" in part:
                low, high = (int(x) for x in part.split("-", 1))
                if high < low or high - low > 200000:
                    raise ValueError
                numbers.update(range(low, high + 1))
            else:
                numbers.add(int(part))
    except ValueError:
        raise forms.ValidationError(_("Write numbers and ranges like 1, 4, 10-25.")) from None
    return sorted(numbers)


class RecommendationForm(NamedBlankChoice, forms.Form):
    numbers = forms.CharField(
        label=_("Proposal numbers"),
        help_text=_("Numbers and ranges, e.g. 1, 4, 10-25."),
        max_length=20000,
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[c for c in Proposal.Recommendation.choices if c[0]],
    )
    template = forms.ModelChoiceField(label=_("Answer template"), queryset=None, required=False)
    reason = forms.CharField(label=_("Reasons"), widget=forms.Textarea, required=False)
    same_as = forms.IntegerField(
        label=_("Identical to proposal No. (optional)"), required=False, min_value=1
    )

    def __init__(self, *args, **kwargs):
        from .models import RecommendationTemplate

        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = RecommendationTemplate.objects.all()

    def clean_numbers(self):
        return parse_numbers(self.cleaned_data["numbers"])

    def clean(self):
        data = super().clean()
        if not data.get("reason") and data.get("template"):
            data["reason"] = data["template"].text
        return data


class ConclusionsForm(forms.Form):
    conclusions = forms.CharField(label=_("Conclusions"), widget=forms.Textarea)


class ModerationForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=ModerationReason.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class StatisticsPeriodForm(forms.Form):
    """The period of the statistics pages and their exports (both ends included)."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    interval = forms.ChoiceField(
        label=_("Count proposals"),
        required=False,
        choices=[("month", _("by month")), ("week", _("by week")), ("day", _("by day"))],
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("date_from"), data.get("date_to")
        if low and high and high < low:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data
