"""The WSGI application: two Django handlers over one project, chosen per request.

A request to the API (``/api/``), Open311 (``/open311/``) or a stored file (``/files/``: a
public photo fetched by a visitor, a map or another site) that carries no cookie cannot be
signed in by a session, show a message or need a CSRF check: it goes through
``settings.API_MIDDLEWARE`` (security headers, language, common, domain errors, an anonymous
``request.user`` until a token says otherwise). Every other request — pages, static files,
and API calls from a signed-in browser — goes through the full ``settings.MIDDLEWARE``. The
views are the same; the skipped middleware was about a tenth of an API submission's CPU, and
a third of a public file's (a file's answer carries its own sandboxing CSP).
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import ResolverMatch, get_resolver

LEAN_PREFIXES = ("/api/", "/open311/", "/files/")


@lru_cache(maxsize=512)
def _resolved(path: str) -> ResolverMatch:
    """Where an API path goes. Django tries the URL patterns in order on every request (about
    sixty API operations: some 40 µs, a tenth of a submission's acknowledgement); the lane's
    paths repeat (a submission is always POSTed to the same few), so the answer is kept per
    path. A path that resolves to nothing raises and is not kept."""
    return get_resolver().resolve(path)


@receiver(setting_changed)
def _forget_resolved(*, setting: str, **_kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _resolved.cache_clear()


class _ApiHandler(WSGIHandler):
    def resolve_request(self, request):
        if hasattr(request, "urlconf"):  # a middleware chose other URLs: no shortcut
            return super().resolve_request(request)
        # a copy (ResolverMatch refuses copy.copy): two requests must not share its kwargs
        kept = _resolved(request.path_info)
        match = object.__new__(ResolverMatch)
        match.__dict__.update(kept.__dict__)
        match.kwargs = dict(kept.kwargs)
        request.resolver_match = match
        return match

    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.API_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class Application:
    """``application(environ, start_response)``: the API lane or the full handler."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.api = _ApiHandler()

    def __call__(self, environ, start_response):
        lean = not environ.get("HTTP_COOKIE") and environ.get("PATH_INFO", "").startswith(
            LEAN_PREFIXES
        )
        return (self.api if lean else self.full)(environ, start_response)


class AnonymousUserMiddleware:
    """``request.user`` for the API lane (no session to read a person from); a bearer token
    replaces it in ``accounts.api_auth``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user = AnonymousUser()
        return self.get_response(request)
