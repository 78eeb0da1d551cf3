"""Registering a person and confirming their contact with the code sent to it. The account stays
inactive until the code comes back.

Neither page tells whether an address has an account or a registration waiting: registering
with a taken address answers like a new registration (its owner gets a notice instead of a
code), and on the confirmation page every wrong, expired or unknown code gets one answer.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cityhall.core.errors import DomainError

from .. import services, throttle
from ..forms import ConfirmContactForm, RegistrationForm
from ..models import User
from .form_errors import form_status, show_domain_error
from .sign_in import CONFIRMATION_SESSION_KEY, signed_in

__all__ = [
    "confirm",
    "register",
]

CONTACT_SESSION_KEY = "accounts_pending_contact"


def _mask_contact(address: str) -> str:
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}***@{domain}"
    return f"{address[:2]} *** ***-{address[-4:-2]}-{address[-2:]}"


@never_cache
@sensitive_post_parameters("password", "password_again")
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = RegistrationForm(request.POST or None)
    status = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            contact = services.register_person(
                contact=data["contact"],
                password=data["password"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                kind=data["kind"],
                organisation_name=data["organisation_name"],
                inn=data["inn"],
                language=(get_language() or "ru")[:2],
                client_address=throttle.client_address(request),
                personal_data_consent=data["personal_data_consent"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status if exc.status == 429 else None
        else:
            request.session.pop(CONFIRMATION_SESSION_KEY, None)
            request.session[CONTACT_SESSION_KEY] = contact.address
            return redirect("accounts:confirm")
    return render(
        request,
        "accounts/register.html",
        {"form": form},
        status=status or form_status(request, form),
    )


def _unconfirmed_by_contact(raw: str) -> User | None:
    try:
        contact = services.parse_contact(raw)
    except DomainError:
        return None
    query = Q(email__iexact=contact.address) if "@" in contact.address else Q(phone=contact.address)
    return User.objects.filter(query, is_active=False).first()


def _pending_in_session(request: HttpRequest) -> tuple[User | None, str | None]:
    """The registration this browser waits to confirm: by account (after a sign-in with the
    right password) or by the address registered with (which may have no registration)."""
    pending_id = request.session.get(CONFIRMATION_SESSION_KEY)
    if pending_id:
        person = User.objects.filter(pk=pending_id, is_active=False).first()
        if person is not None:
            last = person.contact_confirmations.order_by("-sent_at").first()
            return person, last.address if last else (person.email or person.phone or "")
    address = request.session.get(CONTACT_SESSION_KEY)
    if address:
        return _unconfirmed_by_contact(address), address
    return None, None


@never_cache
def confirm(request: HttpRequest) -> HttpResponse:
    """Type the code sent on registration; or ask for a new one. The answers are the same
    whether or not a registration waits at the address."""
    pending, address = _pending_in_session(request)
    form = ConfirmContactForm(request.POST or None, ask_contact=address is None)
    status = None
    if request.method == "POST" and form.is_valid():
        if address is None:
            address = form.cleaned_data.get("contact", "").strip()
            pending = _unconfirmed_by_contact(address)
        if request.POST.get("action") == "resend":
            try:
                if pending is not None:
                    services.send_confirmation_code(
                        user=pending, client_address=throttle.client_address(request)
                    )
                elif "@" not in address:  # counted like a real code: no difference in refusals
                    throttle.take_or_refuse(
                        throttle.SMS_BY_ADDRESS,
                        throttle.client_address(request),
                        message=services.TOO_MANY_SMS,
                    )
            except DomainError as exc:
                if exc.code != "too_soon":  # the code sent a moment ago is still good
                    show_domain_error(form, exc)
                    status = exc.status if exc.status == 429 else None
            if not form.errors:
                request.session.pop(CONFIRMATION_SESSION_KEY, None)
                request.session[CONTACT_SESSION_KEY] = address
                messages.info(request, _("We have sent you a new code."))
                return redirect("accounts:confirm")
        elif not form.cleaned_data.get("code"):
            form.add_error("code", _("Enter the code from the message."))
        elif pending is None:
            form.add_error("code", _("Wrong or expired code. Ask for a new code."))
        else:
            try:
                person = services.confirm_contact(user=pending, code=form.cleaned_data["code"])
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                request.session.pop(CONFIRMATION_SESSION_KEY, None)
                request.session.pop(CONTACT_SESSION_KEY, None)
                messages.success(request, _("Your account is confirmed. Welcome!"))
                return signed_in(request, person, next_url="")
    return render(
        request,
        "accounts/confirm.html",
        {
            "form": form,
            "sent_to": _mask_contact(address) if address else "",
            "minutes": int(services.CONFIRMATION_TTL.seconds / 60),
        },
        status=status or form_status(request, form),
    )
