"""Staff sessions end after ``CITYHALL_STAFF_IDLE_MINUTES`` (default 30) without a request.

A staff member's browser left open at a service-centre desk must not stay signed in: on the
first request after the idle time the session is signed out (audited) and the person is sent
to the sign-in page with a message, coming back to the page they asked for. Residents keep the
ordinary session lifetime. The last-seen time is written at most once a minute.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cityhall.core import audit

from .selectors import needs_second_factor

__all__ = ["StaffIdleSignOutMiddleware"]

LAST_SEEN_SESSION_KEY = "accounts_staff_last_seen"
_WRITE_EVERY_SECONDS = 60


class StaffIdleSignOutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and needs_second_factor(user):
            limit = int(getattr(settings, "CITYHALL_STAFF_IDLE_MINUTES", 30)) * 60
            now = time.time()
            last = session.get(LAST_SEEN_SESSION_KEY)
            if last is not None and now - last > limit:
                return self._sign_out(request, user, idle_minutes=limit // 60)
            if last is None or now - last > _WRITE_EVERY_SECONDS:
                session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)

    def _sign_out(self, request: HttpRequest, user, *, idle_minutes: int) -> HttpResponse:
        audit.record(
            actor=user,
            action="accounts.signed_out_idle",
            target=user,
            after={"idle_minutes": idle_minutes},
        )
        auth.logout(request)
        messages.info(
            request,
            _("You were signed out after %(minutes)s minutes without activity. Sign in again.")
            % {"minutes": idle_minutes},
        )
        next_url = request.get_full_path() if request.method == "GET" else ""
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        return redirect(reverse("accounts:login") + query)
