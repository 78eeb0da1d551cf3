"""Forms of the accounts pages: they parse input; the rules live in services."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role, User
from .selectors import STAFF_ROLES
from .verification import PropertyRight


class SignInForm(forms.Form):
    login = forms.CharField(
        label=_("User name, e-mail or phone"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )


class SecondFactorForm(CodeForm):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("Six digits; a new code appears every 30 seconds."),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class EnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code from your administrator"),
        help_text=_("Twelve letters and digits, for example ABCD-EFGH-JK23."),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _new_password_fields() -> tuple[forms.CharField, forms.CharField]:
    return (
        forms.CharField(
            label=_("New password"),
            strip=False,
            help_text=_("At least 12 characters; not a common password and not like your name."),
            widget=forms.PasswordInput({"autocomplete": "new-password"}),
        ),
        forms.CharField(
            label=_("New password again"),
            strip=False,
            widget=forms.PasswordInput({"autocomplete": "new-password"}),
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        help_text=_("What the token is for, e.g. the program that uses it."),
        max_length=100,
    )
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        widget=forms.CheckboxSelectMultiple,
        initial=["read"],
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[
            (30, _("30 days")),
            (90, _("90 days")),
            (365, _("a year")),
            (0, _("until revoked")),
        ],
    )

    def __init__(self, *args, may_staff: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            ("read", _("Read (GET requests)")),
            ("submit", _("Submit (requests, proposals, applications)")),
        ]
        if may_staff:
            choices.append(("staff", _("Staff work (what your roles allow)")))
        self.fields["scopes"].choices = choices


class PasswordResetRequestForm(forms.Form):
    contact = forms.CharField(
        label=_("E-mail or mobile phone of your account"),
        max_length=254,
        widget=forms.TextInput({"autocomplete": "username", "autocapitalize": "none"}),
    )


class PasswordResetForm(forms.Form):
    contact = forms.CharField(
        label=_("E-mail or mobile phone of your account"),
        max_length=254,
        widget=forms.TextInput({"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = CodeForm.base_fields["code"]
    password, password_again = _new_password_fields()


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password, password_again = _new_password_fields()


class RegistrationForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I am registering as"),
        choices=[
            (User.Kind.RESIDENT, _("A resident")),
            (User.Kind.BUSINESS, _("A representative of an organisation or a sole trader")),
        ],
        initial=User.Kind.RESIDENT,
        widget=forms.RadioSelect,
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    middle_name = forms.CharField(
        label=_("Patronymic"),
        max_length=150,
        required=False,
        widget=forms.TextInput({"autocomplete": "additional-name"}),
    )
    contact = forms.CharField(
        label=_("E-mail or mobile phone"),
        help_text=_("We will send a confirmation code there."),
        max_length=254,
        widget=forms.TextInput({"autocomplete": "email", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 12 characters; not a common password and not like your name."),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    organisation_name = forms.CharField(
        label=_("Organisation's name"),
        help_text=_("Only for representatives of an organisation or a sole trader."),
        max_length=300,
        required=False,
        widget=forms.TextInput({"autocomplete": "organization"}),
    )
    inn = forms.CharField(
        label=_("Organisation's taxpayer number (INN)"),
        help_text=_("10 digits for an organisation, 12 for a sole trader."),
        max_length=12,
        required=False,
        widget=forms.TextInput({"inputmode": "numeric"}),
    )
    #: Shown with a link to the privacy notice (accounts/_consent.html); the service refuses
    #: a registration without it and records when it was given.
    personal_data_consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data"),
        error_messages={
            "required": _(
                "Registration needs your consent to the processing of your personal data."
            )
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") != data.get("password"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ConfirmContactForm(CodeForm):
    """The code sent on registration; the address is asked for only when the browser does
    not remember the registration (another device, a closed tab)."""

    contact = forms.CharField(
        label=_("E-mail or phone you registered with"),
        max_length=254,
        required=False,
        widget=forms.TextInput({"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = forms.CharField(
        label=_("Confirmation code"),
        help_text=_("Six digits from the message we sent."),
        max_length=8,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )

    def __init__(self, *args, ask_contact: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_contact:
            del self.fields["contact"]
        else:
            self.fields["contact"].required = True
            self.order_fields(["contact", "code"])


class PersonLookupForm(forms.Form):
    q = forms.CharField(
        label=_("Phone, e-mail, user name or name"),
        max_length=200,
        widget=forms.TextInput({"type": "search", "autocomplete": "off"}),
    )


class GrantRoleForm(forms.Form):
    person = forms.CharField(
        label=_("Person (user name, e-mail or phone)"),
        max_length=254,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "none"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(value, label) for value, label in Role.choices if value in STAFF_ROLES],
    )


class RegisterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (CSV in UTF-8 or XLSX)"),
        help_text=_("The first row names the columns; one person per row."),
        widget=forms.ClearableFileInput({"accept": ".csv,.xlsx"}),
    )


class OrganisationLookupForm(forms.Form):
    q = forms.CharField(
        label=_("Taxpayer number (INN), registration number (OGRN) or name"),
        max_length=300,
        widget=forms.TextInput({"type": "search", "autocomplete": "off"}),
    )


class OrganisationCheckForm(forms.Form):
    """What the operator reads from the register extract of a company or public authority."""

    name = forms.CharField(label=_("Full name"), max_length=300)
    type = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (Organisation.Type.LEGAL_ENTITY, Organisation.Type.LEGAL_ENTITY.label),
            (Organisation.Type.PUBLIC_AUTHORITY, Organisation.Type.PUBLIC_AUTHORITY.label),
        ],
        widget=forms.RadioSelect,
    )
    ogrn = forms.CharField(
        label=_("Registration number (OGRN)"),
        max_length=20,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address from the register"),
        help_text=_("Street and house, then the office: ул. Баумана, д. 5, оф. 3."),
        max_length=300,
    )
    extract_checked = forms.BooleanField(
        label=_("Register extract checked"),
        help_text=_("I have seen a current extract and the representative's authority."),
    )


ADDRESS_HELP = _(
    "Street and house as in the register, then the flat: ул. Короленко, д. 32, кв. 126."
)


class AddressCorrectionForm(forms.Form):
    """The registered address of a verified person, corrected by the operator."""

    registered_address = forms.CharField(
        label=_("Registered address"),
        help_text=ADDRESS_HELP,
        max_length=300,
    )


class DocumentCheckForm(forms.Form):
    """What the operator reads from the identity document presented in person."""

    last_name = forms.CharField(label=_("Last name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    middle_name = forms.CharField(label=_("Patronymic"), max_length=150, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"),
        help_text=_("As in the document, e.g. 1985-04-23."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    document_number = forms.CharField(
        label=_("Identity document series and number"),
        help_text=_("Stored only masked; nobody can read it back."),
        max_length=40,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    registered_address = forms.CharField(
        label=_("Registered address"),
        help_text=ADDRESS_HELP,
        max_length=300,
        required=False,
    )
    rights = forms.CharField(
        label=_("Rights to land and buildings"),
        help_text=_("One per line: kind; cadastral number — e.g. “ownership; 16:50:011101:101”."),
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    document_checked = forms.BooleanField(
        label=_("Document checked in person"),
        help_text=_("I have seen the original document and the person matches its photo."),
    )

    def clean_birth_date(self) -> dt.date:
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Enter a real birth date."))
        return value

    def clean_rights(self) -> tuple[PropertyRight, ...]:
        rights = []
        for number, line in enumerate(self.cleaned_data["rights"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            kind, sep, cadastral = line.partition(";")
            if not sep or not cadastral.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write the kind, a semicolon and the cadastral number.")
                    % {"n": number}
                )
            rights.append(PropertyRight(kind=kind.strip(), cadastral_number=cadastral.strip()))
        return tuple(rights)
