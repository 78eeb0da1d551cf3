"""Signing in: with a password (and a second factor for staff: the code, or setting up an
authenticator first), or through the state identity portal (OpenID Connect).

Staff never finish signing in without the second factor; a wrong login is answered the same
whatever was wrong, and repeated failures make the next attempt wait, longer each time
(``accounts.throttle``: per account, per client address and per both, in the database every
worker shares). Sign-ins, failures and back-offs go to the audit trail.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cityhall.core.errors import DomainError

from .. import oidc, second_factor, selectors, services, throttle
from ..forms import EnrolmentCodeForm, SecondFactorForm, SignInForm
from ..models import User, VerifiedIdentity
from ..phones import normalise_phone

__all__ = [
    "BACKEND",
    "CONFIRMATION_SESSION_KEY",
    "OIDC_NEXT_SESSION_KEY",
    "find_by_login",
    "oidc_callback",
    "oidc_start",
    "second_factor_setup",
    "second_factor_step",
    "sign_in",
    "signed_in",
]


BACKEND = "cityhall.accounts.backends.EmailOrPhoneBackend"
CONFIRMATION_SESSION_KEY = "accounts_pending_confirmation"
ENROLMENT_SESSION_KEY = "accounts_enrolment_allowed"  # the person who typed an enrolment code
OIDC_NEXT_SESSION_KEY = "accounts_oidc_next"


def _safe_next(request: HttpRequest, *candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return ""


def find_by_login(login: str) -> User | None:
    """The account a login names: user name, e-mail or phone (any spelling of it); signing in
    and granting a role (``staff``) find people the same way."""
    login = (login or "").strip()
    if not login:
        return None
    query = Q(username__iexact=login) | Q(email__iexact=login)
    phone = normalise_phone(login)
    if phone:
        query |= Q(phone=phone)
    return User.objects.filter(query).order_by("pk").first()


def signed_in(
    request: HttpRequest, user: User, *, next_url: str, method: str = "password"
) -> HttpResponse:
    """After the first factor: staff go on to the code (or set up an authenticator), everyone
    else is signed in."""
    already_verified = (
        request.user.is_authenticated
        and request.user.pk == user.pk
        and not selectors.session_lacks_second_factor(request.user)
    )
    if second_factor.login_requires_second_factor(user) and not already_verified:
        second_factor.begin_pending_login(
            request, user, backend=BACKEND, next_url=next_url, method=method
        )
        return redirect("accounts:second_factor")
    second_factor.complete_login(request, user, backend=BACKEND, method=method)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def _too_many_attempts(wait: int) -> str:
    return _("Too many failed attempts. Try again in %(minutes)s minutes.") % {
        "minutes": throttle.minutes(wait)
    }


def _count_wrong_password(known: User | None, *, account: str, address: str, attempt: int) -> int:
    """Count a wrong password (the per-account-and-address attempt is already counted: it was
    the ``attempt``-th) and audit it, and the back-off it starts; returns the seconds the next
    attempt must wait."""
    services.note_failed_sign_in(user=known, factor="password", address=address)
    waits = []
    for limit, identifier, counted in (
        (throttle.PASSWORD_BY_ACCOUNT_AND_ADDRESS, f"{account}|{address}", True),
        (throttle.PASSWORD_BY_ACCOUNT, account, False),
        (throttle.PASSWORD_BY_ADDRESS, address, False),
    ):
        count = attempt if counted else limit.hit(identifier)
        wait = limit.wait_after(count)
        if wait:
            waits.append(wait)
        if count == limit.free and (known is not None or limit is throttle.PASSWORD_BY_ADDRESS):
            services.note_lockout(
                user=None if limit is throttle.PASSWORD_BY_ADDRESS else known,
                factor="password",
                scope=limit.scope,
                address=address,
                wait=wait,
            )
    return max(waits, default=0)


def _second_factor_wait(user: User) -> int:
    """Count one code attempt; the seconds to wait if attempts are used up (then nothing is
    checked)."""
    return throttle.SECOND_FACTOR.take(str(user.pk))


def _wrong_code(request: HttpRequest, user: User) -> None:
    address = throttle.client_address(request)
    services.note_failed_sign_in(user=user, factor="totp", address=address)
    if throttle.SECOND_FACTOR.count(str(user.pk)) == throttle.SECOND_FACTOR.free:
        services.note_lockout(
            user=user,
            factor="totp",
            scope=throttle.SECOND_FACTOR.scope,
            address=address,
            wait=throttle.SECOND_FACTOR.first_wait,
        )


def _too_many_codes(wait: int) -> str:
    return _("Too many wrong codes. Try again in %(minutes)s minutes.") % {
        "minutes": throttle.minutes(wait)
    }


@never_cache
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next"), request.GET.get("next"))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["login"].strip()
        known = find_by_login(login)
        address = throttle.client_address(request)
        # One count per account, however its login is spelled; per spelling for unknown ones.
        account = f"user:{known.pk}" if known else f"login:{normalise_phone(login) or login}"
        wait = max(
            throttle.PASSWORD_BY_ACCOUNT.retry_after(account),
            throttle.PASSWORD_BY_ADDRESS.retry_after(address),
        )
        attempt = 0
        if not wait:
            attempt, wait = throttle.PASSWORD_BY_ACCOUNT_AND_ADDRESS.attempt(f"{account}|{address}")
        if wait:
            form.add_error(None, _too_many_attempts(wait))
            status = 429
        else:
            user = auth.authenticate(
                request, username=login, password=form.cleaned_data["password"]
            )
            if user is not None:
                throttle.PASSWORD_BY_ACCOUNT_AND_ADDRESS.clear(f"{account}|{address}")
                return signed_in(request, user, next_url=next_url, method="password")
            wait = _count_wrong_password(known, account=account, address=address, attempt=attempt)
            if (
                known is not None
                and not known.is_active
                and known.email_confirmed_at is None
                and known.phone_confirmed_at is None
                and known.check_password(form.cleaned_data["password"])
            ):
                request.session[CONFIRMATION_SESSION_KEY] = known.pk
                messages.info(request, _("Your registration is not confirmed yet."))
                return redirect("accounts:confirm")
            form.add_error(None, _("Wrong user name, e-mail, phone or password."))
            status = 429 if wait else 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "oidc": oidc.OidcVerifier()},
        status=status,
    )


@never_cache
def second_factor_step(request: HttpRequest) -> HttpResponse:
    """The second step for staff: the current code of their authenticator."""
    user, pending = second_factor.person_awaiting_second_factor(request)
    if user is None:
        return redirect("accounts:login")
    next_url = _safe_next(
        request, request.POST.get("next"), request.GET.get("next"), pending.get("next")
    )
    device = second_factor.confirmed_device(user)
    if device is None:
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("accounts:second_factor_setup") + query)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = _second_factor_wait(user)
        if wait:
            form.add_error(None, _too_many_codes(wait))
            status = 429
        elif device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            throttle.SECOND_FACTOR.clear(str(user.pk))
            second_factor.complete_login(
                request,
                user,
                backend=pending.get("backend") or BACKEND,
                device=device,
                method=pending.get("method", "password"),
            )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        else:
            _wrong_code(request, user)
            form.add_error("code", _("Wrong code. Check the time on your phone and try again."))
            status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": next_url, "person": user},
        status=status,
    )


@never_cache
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Staff without an authenticator set one up: scan the QR code (or type the secret) and
    confirm with the first code."""
    user, pending = second_factor.person_awaiting_second_factor(request)
    if user is None:
        return redirect("accounts:login")
    next_url = _safe_next(
        request, request.POST.get("next"), request.GET.get("next"), pending.get("next")
    )
    if second_factor.confirmed_device(user) is not None:
        return redirect("accounts:second_factor")
    if request.session.get(ENROLMENT_SESSION_KEY) != user.pk:
        return _enrolment_code_step(request, user, next_url)
    device = services.start_totp_enrolment(user=user)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = _second_factor_wait(user)
        if wait:
            form.add_error(None, _too_many_codes(wait))
            status = 429
        else:
            confirmed = services.confirm_totp_enrolment(
                user=user, code=form.cleaned_data["code"].replace(" ", "")
            )
            if confirmed is not None:
                throttle.SECOND_FACTOR.clear(str(user.pk))
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                second_factor.complete_login(
                    request,
                    user,
                    backend=pending.get("backend") or BACKEND,
                    device=confirmed,
                    method=pending.get("method", "password"),
                )
                messages.success(request, _("Your authenticator is set up."))
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
            _wrong_code(request, user)
            form.add_error("code", _("Wrong code. Check the time on your phone and try again."))
            status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "person": user,
            "qr_svg": mark_safe(second_factor.qr_code_svg(device)),  # noqa: S308 - drawn by segno
            "secret": second_factor.secret_for_display(device),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
        status=status,
    )


def _enrolment_code_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """Before the QR code: the one-time enrolment code an administrator issued (the password
    alone must not let anyone attach their own authenticator to a staff account)."""
    form = EnrolmentCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = _second_factor_wait(user)
        if wait:
            form.add_error(None, _too_many_codes(wait))
            status = 429
        elif services.redeem_enrolment_code(user=user, code=form.cleaned_data["enrolment_code"]):
            request.session[ENROLMENT_SESSION_KEY] = user.pk
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            return redirect(reverse("accounts:second_factor_setup") + query)
        else:
            _wrong_code(request, user)
            form.add_error(
                "enrolment_code",
                _("Wrong, used or expired enrolment code. Ask your administrator for a new one."),
            )
            status = 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "accounts/second_factor_enrolment_code.html",
        {"form": form, "next": next_url, "person": user},
        status=status,
    )


def _oidc_problem(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    return render(
        request,
        "accounts/oidc_error.html",
        {"message": message, "can_retry": status >= 500},
        status=status,
    )


@never_cache
def oidc_start(request: HttpRequest) -> HttpResponse:
    if not oidc.OidcVerifier().is_available():
        return _oidc_problem(
            request,
            _("Sign-in with the state identity portal is not set up on this site."),
            status=503,
        )
    request.session[OIDC_NEXT_SESSION_KEY] = _safe_next(request, request.GET.get("next"))
    try:
        return oidc.start_authorisation(
            request, request.build_absolute_uri(reverse("accounts:oidc_callback"))
        )
    except oidc.ProviderUnavailable:
        return _oidc_problem(
            request,
            _("The state identity portal is not answering. Please try again later."),
            status=502,
        )


@never_cache
def oidc_callback(request: HttpRequest) -> HttpResponse:
    if not oidc.OidcVerifier().is_available():
        return _oidc_problem(
            request,
            _("Sign-in with the state identity portal is not set up on this site."),
            status=503,
        )
    try:
        claims = oidc.fetch_claims(request)
    except oidc.ProviderUnavailable:
        return _oidc_problem(
            request,
            _("The state identity portal is not answering. Please try again later."),
            status=502,
        )
    except oidc.ProviderRefused as exc:
        return _oidc_problem(request, str(exc), status=400)
    profile_data = oidc.profile_from_claims(claims)
    try:
        attributes = oidc.attributes_from_claims(claims)
    except oidc.MissingClaims:
        attributes = None
    current = User.objects.get(pk=request.user.pk) if request.user.is_authenticated else None
    try:
        user = services.sign_in_federated(
            profile=profile_data,
            attributes=attributes,
            method=VerifiedIdentity.Method.OIDC,
            current=current,
        )
    except DomainError as exc:
        problems = [str(m) for ms in exc.fields.values() for m in ms]
        return _oidc_problem(request, " ".join([str(exc.message), *problems]), status=exc.status)
    if attributes is not None:
        messages.success(request, _("Your identity is verified by the state identity portal."))
    else:
        messages.warning(
            request,
            _(
                "The state identity portal did not share all the details needed (name, birth "
                "date, identity document), so your identity is not verified yet."
            ),
        )
    next_url = request.session.pop(OIDC_NEXT_SESSION_KEY, "") or reverse("accounts:profile")
    return signed_in(request, user, next_url=next_url, method="oidc")
