"""Accounts pages: sign-in with a second factor for staff, registration and confirmation,
profile, people and roles for administrators, identity verification (in person and through
the state identity portal). Views parse input, call one service and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from cityhall.core.errors import DomainError

from . import oidc, second_factor, selectors, services
from .forms import (
    ConfirmContactForm,
    DocumentCheckForm,
    GrantRoleForm,
    PersonLookupForm,
    RegistrationForm,
    SecondFactorForm,
    SignInForm,
)
from .lockout import PASSWORD_BY_LOGIN, SECOND_FACTOR
from .models import Membership, Role, User, VerifiedIdentity
from .permissions import staff_required
from .phones import normalise_phone
from .verification import ServiceCentreVerifier, VerifiedAttributes, verifiers

BACKEND = "cityhall.accounts.backends.EmailOrPhoneBackend"
CONFIRMATION_SESSION_KEY = "accounts_pending_confirmation"
OIDC_NEXT_SESSION_KEY = "accounts_oidc_next"


def _safe_next(request: HttpRequest, *candidates: str | None) -> str:
    for candidate in candidates:
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return ""


def _show_domain_error(form, exc: DomainError) -> None:
    for field, problems in exc.fields.items():
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
    if not exc.fields:
        form.add_error(None, str(exc.message))


def _status(request: HttpRequest, form) -> int:
    return 422 if request.method == "POST" and form.errors else 200


def _find_by_login(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    query = Q(username__iexact=login) | Q(email__iexact=login)
    phone = normalise_phone(login)
    if phone:
        query |= Q(phone=phone)
    return User.objects.filter(query).order_by("pk").first()


def _signed_in(request: HttpRequest, user: User, *, next_url: str) -> HttpResponse:
    """After the first factor: staff go on to the code (or set up an authenticator), everyone
    else is signed in."""
    already_verified = (
        request.user.is_authenticated
        and request.user.pk == user.pk
        and not selectors.session_lacks_second_factor(request.user)
    )
    if second_factor.login_requires_second_factor(user) and not already_verified:
        second_factor.begin_pending_login(request, user, backend=BACKEND, next_url=next_url)
        return redirect("accounts:second_factor")
    second_factor.complete_login(request, user, backend=BACKEND)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


# --- Sign-in ----------------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("password")
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next"), request.GET.get("next"))
    form = SignInForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        login = form.cleaned_data["login"].strip()
        known = _find_by_login(login)
        # One lock per account, however its login is spelled; per spelling for unknown ones.
        login_key = f"user:{known.pk}" if known else f"login:{normalise_phone(login) or login}"
        if PASSWORD_BY_LOGIN.is_locked(login_key):
            form.add_error(
                None,
                _("Too many failed attempts. Try again in %(minutes)s minutes.")
                % {"minutes": PASSWORD_BY_LOGIN.minutes},
            )
            status = 429
        else:
            user = auth.authenticate(
                request, username=login, password=form.cleaned_data["password"]
            )
            if user is not None:
                PASSWORD_BY_LOGIN.reset(login_key)
                return _signed_in(request, user, next_url=next_url)
            failures = PASSWORD_BY_LOGIN.register_failure(login_key)
            if failures == PASSWORD_BY_LOGIN.limit and known is not None:
                services.note_lockout(user=known, factor="password")
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
            status = 422 if failures < PASSWORD_BY_LOGIN.limit else 429
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
        key = str(user.pk)
        if SECOND_FACTOR.is_locked(key):
            form.add_error(
                None,
                _("Too many wrong codes. Try again in %(minutes)s minutes.")
                % {"minutes": SECOND_FACTOR.minutes},
            )
            status = 429
        elif device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            SECOND_FACTOR.reset(key)
            second_factor.complete_login(
                request, user, backend=pending.get("backend") or BACKEND, device=device
            )
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
        else:
            if SECOND_FACTOR.register_failure(key) == SECOND_FACTOR.limit:
                services.note_lockout(user=user, factor="totp")
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
    device = services.start_totp_enrolment(user=user)
    form = SecondFactorForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        key = str(user.pk)
        if SECOND_FACTOR.is_locked(key):
            form.add_error(
                None,
                _("Too many wrong codes. Try again in %(minutes)s minutes.")
                % {"minutes": SECOND_FACTOR.minutes},
            )
            status = 429
        else:
            confirmed = services.confirm_totp_enrolment(
                user=user, code=form.cleaned_data["code"].replace(" ", "")
            )
            if confirmed is not None:
                SECOND_FACTOR.reset(key)
                second_factor.complete_login(
                    request, user, backend=pending.get("backend") or BACKEND, device=confirmed
                )
                messages.success(request, _("Your authenticator is set up."))
                return redirect(next_url or settings.LOGIN_REDIRECT_URL)
            if SECOND_FACTOR.register_failure(key) == SECOND_FACTOR.limit:
                services.note_lockout(user=user, factor="totp")
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


# --- Registration -----------------------------------------------------------------------------


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
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_person(
                contact=data["contact"],
                password=data["password"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                kind=data["kind"],
                organisation_name=data["organisation_name"],
                inn=data["inn"],
                language=(get_language() or "ru")[:2],
            )
        except DomainError as exc:
            _show_domain_error(form, exc)
        else:
            request.session[CONFIRMATION_SESSION_KEY] = user.pk
            return redirect("accounts:confirm")
    return render(request, "accounts/register.html", {"form": form}, status=_status(request, form))


def _unconfirmed_by_contact(raw: str) -> User | None:
    try:
        contact = services.parse_contact(raw)
    except DomainError:
        return None
    query = Q(email__iexact=contact.address) if "@" in contact.address else Q(phone=contact.address)
    return User.objects.filter(query, is_active=False).first()


@never_cache
def confirm(request: HttpRequest) -> HttpResponse:
    """Type the code sent on registration; or ask for a new one."""
    pending_id = request.session.get(CONFIRMATION_SESSION_KEY)
    pending = User.objects.filter(pk=pending_id, is_active=False).first() if pending_id else None
    form = ConfirmContactForm(request.POST or None, ask_contact=pending is None)
    if request.method == "POST" and form.is_valid():
        person = pending or _unconfirmed_by_contact(form.cleaned_data.get("contact", ""))
        if person is None:
            form.add_error(
                "contact", _("We found no registration waiting for confirmation at this address.")
            )
        elif request.POST.get("action") == "resend":
            try:
                services.send_confirmation_code(user=person)
            except DomainError as exc:
                _show_domain_error(form, exc)
            else:
                request.session[CONFIRMATION_SESSION_KEY] = person.pk
                messages.info(request, _("We have sent you a new code."))
                return redirect("accounts:confirm")
        elif not form.cleaned_data.get("code"):
            form.add_error("code", _("Enter the code from the message."))
        else:
            try:
                person = services.confirm_contact(user=person, code=form.cleaned_data["code"])
            except DomainError as exc:
                _show_domain_error(form, exc)
            else:
                request.session.pop(CONFIRMATION_SESSION_KEY, None)
                messages.success(request, _("Your account is confirmed. Welcome!"))
                return _signed_in(request, person, next_url="")
    sent_to = ""
    if pending is not None:
        last = pending.contact_confirmations.order_by("-sent_at").first()
        sent_to = _mask_contact(last.address) if last else ""
    return render(
        request,
        "accounts/confirm.html",
        {"form": form, "sent_to": sent_to, "minutes": int(services.CONFIRMATION_TTL.seconds / 60)},
        status=_status(request, form),
    )


# --- Profile ----------------------------------------------------------------------------------


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    identity = selectors.identity_of(user)
    available = [v for v in verifiers() if v.is_available()]
    service_centres = next(
        (v.places() for v in available if isinstance(v, ServiceCentreVerifier)), []
    )
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    return render(
        request,
        "accounts/profile.html",
        {
            "identity": identity,
            "age": identity.age_on(timezone.localdate()) if identity else None,
            "territory": selectors.territory_of(user),
            "rights": selectors.rights_of(user),
            "memberships": memberships,
            "verifiers": available,
            "service_centres": service_centres,
            "needs_second_factor": selectors.needs_second_factor(user),
            "has_authenticator": second_factor.confirmed_device(user) is not None,
        },
    )


# --- People and roles (administrators) --------------------------------------------------------


def _with_depth(organisations: list) -> list[tuple[object, int]]:
    by_id = {o.pk: o for o in organisations}
    depth: dict[int, int] = {}

    def depth_of(org) -> int:
        if org.pk not in depth:
            parent = by_id.get(org.parent_id)
            depth[org.pk] = 0
            depth[org.pk] = depth_of(parent) + 1 if parent is not None else 0
        return depth[org.pk]

    return [(o, depth_of(o)) for o in organisations]


@staff_required(Role.ADMINISTRATOR)
def people(request: HttpRequest) -> HttpResponse:
    organisations = selectors.administered_organisations(request.user)
    if not organisations:
        raise PermissionDenied
    by_id = {o.pk: o for o in organisations}
    raw = request.POST.get("organisation") or request.GET.get("organisation") or ""
    selected = by_id.get(int(raw)) if raw.isdigit() else organisations[0]
    if selected is None:
        raise PermissionDenied
    action = request.POST.get("action")
    grant_form = GrantRoleForm(request.POST if action == "grant" else None)
    here = f"{reverse('accounts:people')}?organisation={selected.pk}"
    if request.method == "POST":
        try:
            if action == "grant" and grant_form.is_valid():
                person = _find_by_login(grant_form.cleaned_data["person"])
                if person is None:
                    grant_form.add_error(
                        "person", _("No one with this user name, e-mail or phone.")
                    )
                else:
                    role = grant_form.cleaned_data["role"]
                    services.grant_role(
                        actor=request.user, user=person, organisation=selected, role=role
                    )
                    messages.success(
                        request,
                        _("%(person)s is now %(role)s in %(organisation)s.")
                        % {"person": person, "role": Role(role).label, "organisation": selected},
                    )
                    return redirect(here)
            elif action == "revoke":
                membership = (
                    Membership.objects.select_related("user")
                    .filter(pk=request.POST.get("membership") or 0, organisation=selected)
                    .first()
                )
                if membership is None:
                    raise Http404
                services.revoke_role(
                    actor=request.user,
                    user=membership.user,
                    organisation=selected,
                    role=membership.role,
                )
                messages.success(
                    request,
                    _("%(person)s no longer holds the role %(role)s here.")
                    % {"person": membership.user, "role": membership.get_role_display()},
                )
                return redirect(here)
        except DomainError as exc:
            if exc.status == 403:
                raise PermissionDenied(str(exc.message)) from exc
            _show_domain_error(grant_form, exc)
    return render(
        request,
        "accounts/people.html",
        {
            "organisations": _with_depth(organisations),
            "selected": selected,
            "memberships": selectors.people_of(selected),
            "grant_form": grant_form,
        },
        status=422 if grant_form.errors else 200,
    )


# --- In-person identity verification (service-centre operators) --------------------------------


@staff_required(Role.OPERATOR)
def verify_identity(request: HttpRequest) -> HttpResponse:
    if not selectors.can_verify_in_person(request.user):
        raise PermissionDenied(_("Only operators of a service centre verify identities."))
    lookup = PersonLookupForm(request.GET if "q" in request.GET else None)
    results = selectors.find_people(lookup.cleaned_data["q"]) if lookup.is_valid() else []
    raw = request.POST.get("person") or request.GET.get("person") or ""
    person = User.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    form = None
    if person is not None:
        initial = {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "middle_name": person.middle_name,
        }
        form = DocumentCheckForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            attributes = VerifiedAttributes(
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                birth_date=data["birth_date"],
                document_number=data["document_number"],
                registered_address=data["registered_address"],
                rights=data["rights"],
            )
            try:
                identity = services.apply_verification(
                    person=person,
                    attributes=attributes,
                    method=VerifiedIdentity.Method.SERVICE_CENTRE,
                    actor=request.user,
                )
            except DomainError as exc:
                if exc.status == 403:
                    raise PermissionDenied(str(exc.message)) from exc
                _show_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(person)s is verified: document %(document)s, age %(age)s.")
                    % {
                        "person": identity.full_name,
                        "document": identity.document_masked,
                        "age": identity.age_on(timezone.localdate()),
                    },
                )
                return redirect(f"{reverse('accounts:verify')}?person={person.pk}")
    identity = selectors.identity_of(person) if person else None
    return render(
        request,
        "accounts/verify.html",
        {
            "lookup": lookup,
            "results": results,
            "person": person,
            "identity": identity,
            "age": identity.age_on(timezone.localdate()) if identity else None,
            "form": form,
        },
        status=422 if form is not None and form.errors else 200,
    )


# --- Federated sign-in (state identity portal) --------------------------------------------------


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
    return _signed_in(request, user, next_url=next_url)
