"""What a deployment must not get wrong, in one place: the development secret key is refused
when debug is off, and pages that bypass the site's middleware still carry its headers.

The Content-Security-Policy itself is ``settings.CONTENT_SECURITY_POLICY`` (django-csp's
middleware adds it to every page). Two kinds of page set it themselves:

* the API docs (ninja's Swagger UI from our static files), which a request without a cookie
  reaches through the API lane (``core.handlers``) where neither the CSP nor the
  X-Frame-Options middleware runs: :func:`api_docs` adds both, and lets Swagger's stylesheet
  use its ``data:`` icons;
* the services widget, framed by the origins its site lists: :func:`policy_with_frame_ancestors`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlsplit

from csp.constants import HEADER, SELF
from csp.utils import build_policy
from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponse
from django.views.decorators.clickjacking import xframe_options_deny

__all__ = [
    "api_docs",
    "check_audit_key",
    "check_secret_key",
    "check_site_url",
    "policy_with_frame_ancestors",
    "uses_development_secret_key",
]


def uses_development_secret_key() -> bool:
    """True when the site would sign sessions, tokens and HMACs with the key every checkout
    shares while serving for real (debug off): anyone could forge them."""
    return not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY


@checks.register(checks.Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``cityhall check --deploy`` reports the development key as an error (``cityhall serve``
    refuses to start with it)."""
    if not uses_development_secret_key():
        return []
    return [
        checks.Error(
            "The development secret key is in use while debug is off.",
            hint="Set CITYHALL_SECRET_KEY to a long random value (see deploy/production.env).",
            id="cityhall.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_audit_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """``cityhall check --deploy`` reports the audit trail keyed with the public development
    key (ADR 0010): anyone could then recompute a rewritten record's HMAC."""
    from .audit_keys import key_is_default

    if settings.DEBUG or not key_is_default():
        return []
    return [
        checks.Error(
            "The audit trail is keyed with the public development key while debug is off.",
            hint="Set CITYHALL_AUDIT_KEY or CITYHALL_AUDIT_KEY_FILE (see deploy/production.env).",
            id="cityhall.E002",
        )
    ]


_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0", ""}  # noqa: S104 - names, not binds


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every link the site sends by e-mail or SMS (confirm, unsubscribe, "open") starts with
    ``settings.SITE_URL``, never the host of a request; left at its loopback default with debug
    off, those links would lead residents to their own machine."""
    host = (urlsplit(settings.SITE_URL).hostname or "").lower()
    if settings.DEBUG or not (host in _LOOPBACK or host.startswith("127.")):
        return []
    return [
        checks.Warning(
            f"CITYHALL_SITE_URL is {settings.SITE_URL!r} while debug is off: links in e-mails "
            "and SMS would point to the recipient's own computer.",
            hint="Set CITYHALL_SITE_URL to the site's public address (see deploy/production.env).",
            id="cityhall.W003",
        )
    ]


def policy_with_frame_ancestors(origins: Iterable[str]) -> str:
    """The site's policy, except that this site and ``origins`` may frame the page."""
    return build_policy(replace={"frame-ancestors": [SELF, *origins]})


def api_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """``NinjaAPI(docs_decorator=...)``: the docs page may not be framed and runs under the
    site's policy (Swagger UI draws its icons from ``data:`` URLs in its stylesheet)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if HEADER not in response:
            response[HEADER] = build_policy(update={"img-src": ["data:"]})
        return response

    return xframe_options_deny(wrapped)
