"""Forgotten and changed passwords: ask for a code at the account's e-mail or phone, type it
with a new password; or change the password while signed in. The answers never tell whether
an address has an account; asking for codes is rate-limited per client address
(``accounts.throttle``), so the form cannot be used to send SMS to numbers in bulk.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cityhall.core.errors import DomainError

from .. import services, throttle
from ..forms import PasswordChangeForm, PasswordResetForm, PasswordResetRequestForm
from ..models import User
from .form_errors import form_status, show_domain_error

__all__ = [
    "password_change",
    "password_reset",
    "password_reset_code",
]

RESET_CONTACT_SESSION_KEY = "accounts_password_reset_contact"


@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    status = form_status(request, form)
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["contact"]
        address = throttle.client_address(request)
        wait = throttle.PASSWORD_RESET_BY_ADDRESS.take(address)
        if not wait and "@" not in contact:
            wait = throttle.SMS_BY_ADDRESS.take(address)
        if wait:
            form.add_error(
                None,
                _("Too many codes asked for. Try again in %(minutes)s minutes.")
                % {"minutes": throttle.minutes(wait)},
            )
            status = 429
        else:
            try:
                services.request_password_reset(contact=contact)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = 422
            else:
                request.session[RESET_CONTACT_SESSION_KEY] = contact.strip()
                messages.info(
                    request,
                    _(
                        "If an account has this e-mail or phone, we have sent a code there. "
                        "It is valid for %(minutes)s minutes."
                    )
                    % {"minutes": int(services.RESET_TTL.total_seconds() // 60)},
                )
                return redirect("accounts:password_reset_code")
    return render(request, "accounts/password_reset.html", {"form": form}, status=status)


@never_cache
@sensitive_post_parameters("password", "password_again", "code")
def password_reset_code(request: HttpRequest) -> HttpResponse:
    initial = {"contact": request.session.get(RESET_CONTACT_SESSION_KEY, "")}
    form = PasswordResetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reset_password(
                contact=data["contact"],
                code=data["code"],
                password=data["password"],
                password_again=data["password_again"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            request.session.pop(RESET_CONTACT_SESSION_KEY, None)
            messages.success(request, _("Your password is changed. Sign in with it."))
            return redirect("accounts:login")
    return render(
        request,
        "accounts/password_reset_code.html",
        {"form": form},
        status=form_status(request, form),
    )


@login_required
@never_cache
@sensitive_post_parameters("current_password", "password", "password_again")
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.change_password(
                user=User.objects.get(pk=request.user.pk),
                current_password=data["current_password"],
                password=data["password"],
                password_again=data["password_again"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; the others end
            messages.success(request, _("Your password is changed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/password_change.html",
        {"form": form},
        status=form_status(request, form),
    )
