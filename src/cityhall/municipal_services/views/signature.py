"""Signing an application: the "sign and submit" step with a one-time code, and checking a
stored signature against the application as it is now (see ``signing.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.throttle import client_address
from cityhall.core.errors import Conflict, InvalidInput, TooManyRequests

from .. import selectors, signing
from ..models import Application, ApplicationSignature
from .common import answer_rows, document_title, domain_errors


@login_required
@domain_errors
def application_sign(request, pk):
    """The "sign and submit" step: the applicant reads what they sign as a document (service,
    department, their answers and attached documents by their names, never codes), with the
    technical record — the digest and the canonical JSON the code signs — folded away in a
    details block; asks for a one-time code to a confirmed contact and types it in. Works as
    plain forms, without JavaScript."""
    application = selectors.application_for(request.user, pk)
    if application.status not in (Application.Status.DRAFT, Application.Status.RETURNED):
        return redirect("municipal_services:application", pk=pk)
    if request.user.pk != application.applicant_id:
        raise PermissionDenied(
            _("Only the applicant signs their application; the signature is their own act.")
        )
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "send":
                sent = signing.request_code(
                    application=application,
                    actor=request.user,
                    channel=request.POST.get("channel", ""),
                    client_address=client_address(request),
                )
                messages.success(
                    request,
                    _("A code has been sent to %(to)s. It is valid for %(minutes)s minutes.")
                    % {
                        "to": signing.masked(sent.channel, sent.address),
                        "minutes": int(signing.CODE_TTL.total_seconds() // 60),
                    },
                )
                return redirect("municipal_services:application_sign", pk=pk)
            if action == "sign":
                signing.sign_and_submit(
                    application=application,
                    actor=request.user,
                    code=request.POST.get("code", ""),
                    digest=request.POST.get("digest", ""),
                    ip=request.META.get("REMOTE_ADDR"),
                )
                messages.success(request, _("Your application has been signed and submitted."))
                return redirect("municipal_services:application", pk=pk)
            raise Http404
        except InvalidInput as exc:
            errors = dict(exc.fields) or {"__all__": [str(exc.message)]}
            if str(exc.message) not in [str(m) for v in errors.values() for m in v]:
                errors.setdefault("__all__", []).insert(0, str(exc.message))
            status = 422
        except Conflict as exc:
            errors, status = {"__all__": [str(exc.message)]}, 409
        except TooManyRequests as exc:
            errors, status = {"__all__": [str(exc.message)]}, 429
    content = signing.signed_content(application)
    digest = signing.digest_of(content)
    pending = signing.pending_code(application, request.user)
    contacts = signing.contacts_of(request.user)
    shown = pending if pending and pending.digest == digest else None
    return render(
        request,
        "municipal_services/application_sign.html",
        {
            "application": application,
            "service": application.service,
            "answers": answer_rows(application),
            "files": [
                {**f, "title": document_title(application.version, f["document"])}
                for f in content["files"]
            ],
            "applicant": application.applicant,
            "digest": digest,
            "canonical": signing.canonical_json(content).decode("utf-8"),
            "contacts": contacts,
            "pending": shown,
            "pending_to": signing.masked(shown.channel, shown.address) if shown else "",
            "errors": errors,
            # A field's message shows beside it when the field is on the page, else on top.
            "general_errors": [
                m
                for k, v in errors.items()
                if not (k == "channel" and contacts) and not (k == "code" and shown)
                for m in v
            ],
            "title": _("Sign and submit"),
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def signature_verify(request, pk, signature_pk):
    """Recompute the digest from the application and files as stored now and say whether it
    still matches the signature."""
    application = selectors.application_for(request.user, pk)
    signature = get_object_or_404(ApplicationSignature, pk=signature_pk, application=application)
    result = signing.verify(signature)
    if result.matches:
        messages.success(
            request,
            _("The signature is valid: the application and its files are exactly as signed."),
        )
    else:
        messages.error(
            request,
            _(
                "The signature does not match: the application or its files changed after "
                "signing (digest now %(digest)s)."
            )
            % {"digest": result.current_digest},
        )
    return redirect(f"{reverse('municipal_services:application', args=[pk])}#signatures")
