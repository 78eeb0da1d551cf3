"""The staff desk: the department's applications by status or overdue, a paper
application registered at a service centre, and the stage actions posted from the case page
(each one service call: acceptance, consideration, decision, legal term, standard requests)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cityhall.accounts.models import User
from cityhall.accounts.permissions import staff_required
from cityhall.accounts.selectors import has_role
from cityhall.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

from .. import selectors, services
from ..definition import listed_reasons
from ..models import Application, Opinion, StandardRequestType
from ..schema_form import answers_from_post
from .common import PAGE_SIZE, STAFF, domain_errors, int_or_zero, page_number


@staff_required(STAFF)
def desk(request):
    status = request.GET.get("status", "")
    if status and status not in Application.Status.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    page = page_number(request)
    qs = selectors.desk(request.user, status=status, overdue_only=overdue)
    rows = list(qs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    # Only an operator may register a paper application (the page refuses anyone else), and
    # only for a service people can apply for now: one with a published version.
    may_register = has_role(request.user, "operator")
    return render(
        request,
        "municipal_services/desk.html",
        {
            "applications": rows[:PAGE_SIZE],
            "has_next": len(rows) > PAGE_SIZE,
            "page": page,
            "status": status,
            "overdue": overdue,
            "statuses": [(s, Application.Status(s).label) for s in Application.OPEN],
            "now": timezone.now(),
            "overdue_count": selectors.overdue(request.user).count(),
            "services": selectors.catalogue() if may_register else [],
            "may_register": may_register,
            "registered": selectors.registered_by(request.user)[:PAGE_SIZE],
        },
    )


@staff_required("operator")
@domain_errors
def register_paper(request, code):
    """A service centre operator registers a paper application on behalf of the applicant;
    the scans are uploaded on the next page, as for any application."""
    service = selectors.service_by_code(code)
    if selectors.published_version(service) is None:
        # Refused before anything is written: no applicant's account for a service nobody
        # can apply for (issue 16.22).
        raise Conflict(
            _("This service has no published version; applications for it are not accepted.")
        )
    error = ""
    if request.method == "POST":
        try:
            applicant = services.paper_applicant(
                actor=request.user,
                contact=request.POST.get("contact", ""),
                last_name=request.POST.get("last_name", ""),
                first_name=request.POST.get("first_name", ""),
            )
        except InvalidInput as exc:
            error = " ".join([str(exc.message)] + [m for v in exc.fields.values() for m in v])
        else:
            application = services.start_application(
                actor=request.user,
                service=service,
                applicant=applicant,
                channel=Application.Channel.SERVICE_CENTRE,
            )
            return redirect("municipal_services:application_edit", pk=application.pk)
    return render(
        request,
        "municipal_services/register_paper.html",
        {"service": service, "error": error},
        status=422 if error else 200,
    )


ACTIONS = {
    "accept": lambda a, u, p: services.accept_application(application=a, actor=u),
    "return": lambda a, u, p: services.return_application(
        application=a, actor=u, reasons=_reasons(a, p)
    ),
    "forward": lambda a, u, p: services.forward_to_expert(
        application=a, actor=u, expert=_user(p.get("expert")), note=p.get("note", "")
    ),
    "ask_opinion": lambda a, u, p: services.ask_opinion(
        application=a, actor=u, expert=_user(p.get("expert")), question=p.get("question", "")
    ),
    "answer_opinion": lambda a, u, p: services.answer_opinion(
        opinion=get_object_or_404(Opinion, pk=p.get("opinion"), application=a),
        actor=u,
        answer=p.get("answer", ""),
    ),
    "conclude": lambda a, u, p: services.send_to_decision(
        application=a, actor=u, conclusion=p.get("conclusion", ""), proposed=p.get("proposed", "")
    ),
    "decide": lambda a, u, p: services.decide(
        application=a,
        actor=u,
        outcome=p.get("outcome", ""),
        reasons=_reasons(a, p),
    ),
    "suspend": lambda a, u, p: services.suspend_application(
        application=a, actor=u, reason=p.get("reason", "")
    ),
    "resume": lambda a, u, p: services.resume_application(application=a, actor=u),
    "extend": lambda a, u, p: services.extend_application(
        application=a, actor=u, days=int_or_zero(p.get("days")), reason=p.get("reason", "")
    ),
    "withdraw": lambda a, u, p: services.withdraw_application(application=a, actor=u),
    "send_request": lambda a, u, p: _send_request(a, u, p),
    "waive_request": lambda a, u, p: services.waive_required_request(
        application=a, actor=u, type_code=p.get("type_code", ""), reason=p.get("reason", "")
    ),
}


def _reasons(application: Application, data) -> list[str]:
    """The reasons ticked from the service's list (in the applicant's language, since the
    applicant reads them), then any typed as an addition, one per line."""
    listed = listed_reasons(
        application.version.refusal_reasons, data.getlist("reason_codes"), application.language
    )
    return listed + data.get("reasons", "").splitlines()


def _user(pk) -> User:
    user = User.objects.filter(pk=int_or_zero(pk)).first()
    if user is None:
        raise InvalidInput(fields={"expert": [_("Choose an expert.")]})
    return user


def _send_request(application: Application, actor: User, data):
    """Send the request with the type's own form (fields prefilled from the case on the page);
    a ``payload`` of JSON is still read from clients that post one."""
    kind = get_object_or_404(StandardRequestType, pk=int_or_zero(data.get("type")))
    payload = (
        _json(data.get("payload"))
        if "payload" in data
        else answers_from_post(kind.form_schema or {}, data)
    )
    return services.send_standard_request(
        application=application, actor=actor, type=kind, payload=payload
    )


def _json(value) -> dict:
    try:
        data = json.loads(value or "{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InvalidInput(fields={"payload": [_("Enter the request as a JSON object.")]})
    return data


@login_required
@require_POST
@domain_errors
def application_act(request, pk):
    application = selectors.application_for(request.user, pk)
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        raise Http404
    last_step = application.events.order_by("-pk").values_list("pk", flat=True).first() or 0
    try:
        action(application, request.user, request.POST)
    except DomainError as exc:
        if isinstance(exc, Forbidden | NotFound):
            raise
        details = [m for v in exc.fields.values() for m in v]
        messages.error(request, " ".join([str(exc.message), *details]))
    else:
        messages.success(request, _("Done."))
        # the decision is recorded even when the version's result template fails: say so
        for step in application.events.filter(kind="result_template_failed", pk__gt=last_step):
            messages.warning(request, step.text)
    return redirect("municipal_services:application", pk=pk)
