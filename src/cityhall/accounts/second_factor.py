"""Signing in in two steps: the password, then (for staff) the TOTP code.

After the password a person who needs a second factor is *not* signed in yet: the session only
remembers them as pending for a few minutes. They become signed in — and OTP-verified
(``django_otp.login``) — once the code is right. Residents are signed in after the password.
"""

from __future__ import annotations

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import auth
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.oath import TOTP

from . import services, throttle
from .models import Authenticator, User
from .selectors import needs_second_factor, session_lacks_second_factor

__all__ = [
    "PENDING_TTL_SECONDS",
    "begin_pending_login",
    "complete_login",
    "confirmed_device",
    "current_code",
    "login_requires_second_factor",
    "person_awaiting_second_factor",
    "qr_code_svg",
    "secret_for_display",
]

PENDING_SESSION_KEY = "accounts_pending_login"
PENDING_TTL_SECONDS = 10 * 60


def login_requires_second_factor(user: User) -> bool:
    return bool(settings.STAFF_REQUIRE_OTP) and needs_second_factor(user)


def begin_pending_login(
    request: HttpRequest, user: User, *, backend: str, next_url: str, method: str = "password"
) -> None:
    """The password was right; remember the person until they pass the second factor."""
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "method": method,
        "at": time.time(),
    }


def person_awaiting_second_factor(request: HttpRequest) -> tuple[User | None, dict]:
    """Who is between the two steps: the pending person, or a signed-in session that has not
    passed the second factor (e.g. the requirement was switched on meanwhile)."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if pending:
        if time.time() - pending.get("at", 0) > PENDING_TTL_SECONDS:
            del request.session[PENDING_SESSION_KEY]
        else:
            user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
            if user is not None:
                return user, pending
    user = request.user
    if user.is_authenticated and session_lacks_second_factor(user):
        return User.objects.get(pk=user.pk), {"next": "", "backend": ""}
    return None, {}


def complete_login(
    request: HttpRequest,
    user: User,
    *,
    backend: str,
    device: Authenticator | None = None,
    method: str = "password",
) -> None:
    """Sign the person in (if not already) and mark the session as verified by ``device``;
    the sign-in goes to the audit trail."""
    request.session.pop(PENDING_SESSION_KEY, None)
    if not request.user.is_authenticated or request.user.pk != user.pk:
        auth.login(request, user, backend=backend or settings.AUTHENTICATION_BACKENDS[0])
    if device is not None:
        otp_login(request, device)
    services.note_sign_in(
        user=user,
        method=method,
        address=throttle.client_address(request),
        second_factor=device is not None,
    )


def confirmed_device(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).order_by("pk").first()


def current_code(device: Authenticator, at: float | None = None) -> str:
    """The code the person's authenticator shows now (operators' support, the demo)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def secret_for_display(device: Authenticator) -> str:
    """The base32 secret in groups of four, for typing into an authenticator by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: Authenticator) -> str:
    """An inline SVG QR code of the ``otpauth://`` URI (drawn here; no external service)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4,
        border=4,
        dark="#000000",
        light="#ffffff",
        title=_("QR code for your authenticator app"),
        svgclass="qr-code",
    )
