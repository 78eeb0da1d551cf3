"""The widget for other portals: the script tag, the form inside their iframe (only their
origins may frame it) and the first-party page that continues to a prefilled draft (the
one-time hand-off is ``widget.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt

from cityhall.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from cityhall.core.security import policy_with_frame_ancestors

from .. import selectors
from .. import widget as widget_handoffs
from ..group_field import rows_after_post
from ..models import WidgetSite
from ..schema_form import answers_from_post, fields_of
from .common import document_rows, domain_errors


def widget_script(request):
    """One script tag for another portal: it places an iframe with our widget page."""
    base = request.build_absolute_uri("/")[:-1]
    script = (
        "(function(){var s=document.currentScript;var site=s.getAttribute('data-site');"
        "var code=s.getAttribute('data-service');var f=document.createElement('iframe');"
        f"f.src='{base}/services/widget/'+encodeURIComponent(site)+'/'+encodeURIComponent(code)+'/';"
        "f.title=s.getAttribute('data-title')||'Municipal service';f.style.width='100%';"
        "f.style.minHeight='40rem';f.style.border='0';s.parentNode.insertBefore(f,s.nextSibling);})();"
    )
    return HttpResponse(script, content_type="application/javascript; charset=utf-8")


def _widget_parts(site: str, code: str):
    widget_site = WidgetSite.objects.filter(key=site, is_active=True).first()
    if widget_site is None or not widget_site.origins:
        raise NotFound()
    service = selectors.service_by_code(code)
    if not widget_site.services.filter(pk=service.pk).exists():
        raise NotFound()
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    return widget_site, service, version


def _same_site_post(request) -> bool:
    """The iframe's form posts without cookies (so without Django's CSRF cookie); a browser
    still names the page that posted in ``Origin``, which must be this portal (the iframe's
    own origin) when it is sent."""
    origin = request.headers.get("Origin")
    return origin in (None, "", "null") or origin == request.build_absolute_uri("/")[:-1]


def _hand_over(request, widget_site, service, values: dict):
    """Keep the checked answers behind a one-time token: (handoff, token, errors, status)."""
    try:
        created = widget_handoffs.create_handoff(
            site=widget_site,
            service=service,
            answers=values,
            language=get_language() or "ru",
            client=request.META.get("REMOTE_ADDR", ""),
        )
    except InvalidInput as exc:
        return None, None, exc.fields, 422
    except TooManyRequests as exc:
        return None, None, {"__all__": [str(exc.message)]}, 429
    return created.handoff, created.token, {}, 200


@csrf_exempt
@xframe_options_exempt
@domain_errors
def widget(request, site, code):
    """The service form inside another portal's iframe: only that site's origins may frame it
    (CSP frame-ancestors, with the rest of the site's policy); every other page keeps
    X-Frame-Options: DENY and frame-ancestors 'none'.

    No cookie is needed: the answers are checked and kept behind a one-time token, and the
    person continues on this portal in a new tab (see ``widget.py``)."""
    widget_site, service, version = _widget_parts(site, code)
    values: dict = {}
    errors: dict[str, list[str]] = {}
    handoff = token = rows = None
    status = 200
    if request.method == "POST":
        if not _same_site_post(request):
            raise PermissionDenied
        if request.POST.get("handoff"):
            token = request.POST["handoff"]
            try:
                handoff = widget_handoffs.handoff_by_token(token)
            except NotFound:
                token, status = None, 404
                errors = {"__all__": [_("This link is not valid. Fill in the form again.")]}
            else:
                if handoff.site_id != widget_site.pk or handoff.service_id != service.pk:
                    raise NotFound()
        else:
            values = answers_from_post(version.form_schema, request.POST)
            if "add_item" in request.POST or "remove_item" in request.POST:
                # A repeating group's "add another"/"remove" without JavaScript: the form comes
                # back with a row more or less and the answers kept; nothing is handed over.
                rows = rows_after_post(version.form_schema, request.POST)
            else:
                handoff, token, errors, status = _hand_over(request, widget_site, service, values)
    fields = fields_of(version.form_schema, version.ui, values=values, errors=errors, rows=rows)
    field_names = {f.name for f in fields}
    response = render(
        request,
        "municipal_services/widget.html",
        {
            "service": service,
            "version": version,
            "site": widget_site,
            "fields": fields,
            "errors": errors,
            "general_errors": [m for k, v in errors.items() if k not in field_names for m in v],
            "handoff": handoff,
            "token": token,
            "now": timezone.now(),
            "documents": document_rows(version),
        },
        status=status,
    )
    response["Content-Security-Policy"] = policy_with_frame_ancestors(widget_site.origins)
    response["Referrer-Policy"] = "same-origin"  # the token never leaves this portal
    response["Cache-Control"] = "no-store"
    return response


@domain_errors
def widget_continue(request, token):
    """Top-level, first-party page the widget opens in a new tab: sign in if needed, see the
    answers brought from the other site, and continue to a prefilled draft."""
    handoff = widget_handoffs.handoff_by_token(token)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    problem = ""
    if request.method == "POST":
        try:
            application = widget_handoffs.claim_handoff(token=token, actor=request.user)
        except Conflict as exc:
            problem = str(exc.message)
        else:
            messages.success(
                request,
                _(
                    "Your answers from %(site)s are in this draft. Attach the documents, then sign "
                    "and submit."
                )
                % {"site": handoff.site.name},
            )
            return redirect("municipal_services:application_edit", pk=application.pk)
    elif handoff.application is not None and handoff.application.applicant_id == request.user.pk:
        return redirect("municipal_services:application_edit", pk=handoff.application.pk)
    version = handoff.version
    answers = [
        (f.label, f.value)
        for f in fields_of(version.form_schema, version.ui, values=handoff.answers)
        if f.value not in (None, "")
    ]
    expired = handoff.expires_at <= timezone.now()
    used = handoff.claimed_at is not None
    response = render(
        request,
        "municipal_services/widget_continue.html",
        {
            "handoff": handoff,
            "service": handoff.service,
            "answers": answers if not (expired or used) else [],
            "expired": expired,
            "used": used,
            "problem": problem,
            "documents": document_rows(version),
            "title": handoff.service.title(),
        },
        status=409 if problem else (410 if expired or used else 200),
    )
    response["Referrer-Policy"] = "same-origin"  # the token never leaves this portal
    response["Cache-Control"] = "no-store"
    return response
