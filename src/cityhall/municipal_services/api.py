"""Municipal services API: ``/api/v1/services`` (the catalogue and each service's definition
with its JSON Schema) and ``/api/v1/applications`` (submit, upload, track; staff actions).
Thin: every change is one service call; domain errors become ``{"detail", "code", "fields"}``."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from cityhall.accounts.api_auth import OptionalAuth
from cityhall.core import params
from cityhall.core.api import AcceptedOut, accepted, idempotency_key
from cityhall.core.errors import InvalidInput, NotFound

from . import intake, selectors, services
from .models import Application, StandardRequestType

router = Router(tags=["municipal_services"])
applications_router = Router(tags=["municipal_services"])


class ServiceOut(Schema):
    code: str
    name: str
    department: str
    version: int
    term_days: int
    url: str


class DefinitionOut(ServiceOut):
    form_schema: dict
    ui: dict
    documents: list
    fees: list
    result_types: list
    variants: list
    status_texts: dict
    identity: str


def _service_out(service, version) -> dict:
    return {
        "code": service.code,
        "name": service.title(),
        "department": str(service.department),
        "version": version.number,
        "term_days": version.term_days,
        "url": reverse("municipal_services:service", args=[service.code]),
    }


@router.get("", response=list[ServiceOut], auth=OptionalAuth())
def list_services(request):
    rows = []
    for service in selectors.catalogue().prefetch_related("versions"):
        version = next((v for v in service.versions.all() if v.status == "published"), None)
        if version:
            rows.append(_service_out(service, version))
    return rows


@router.get("/{code}", response=DefinitionOut, auth=OptionalAuth())
def get_service(request, code: str):
    """The published definition: the JSON Schema (draft 2020-12) the answers must satisfy,
    UI hints, documents with their file rules, fees, term, variants, status texts and
    ``identity``: ``verified`` when only people with a verified identity may apply."""
    service = selectors.service_by_code(code)
    version = selectors.published_version(service)
    if version is None:
        raise NotFound()
    return {
        **_service_out(service, version),
        "form_schema": version.form_schema,
        "ui": version.ui,
        "documents": version.documents,
        "fees": version.fees,
        "result_types": version.result_types,
        "variants": version.variants,
        "status_texts": version.status_texts,
        "identity": version.identity,
    }


class ApplicationIn(Schema):
    service: str
    answers: dict = {}
    submit: bool = False


class EventOut(Schema):
    kind: str
    label: str
    status: str
    text: str
    internal: bool = False
    at: dt.datetime


class StandardRequestOut(Schema):
    type: str
    addressee: str
    status: str
    due_at: dt.datetime


class ApplicationOut(Schema):
    id: int
    number: str | None
    service: str
    version: int
    status: str
    status_text: str
    channel: str
    variant: str
    answers: dict
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    return_reasons: list
    decision_reasons: list
    result_url: str | None
    events: list[EventOut]
    requests: list[StandardRequestOut]


def _application_out(application: Application, *, reader, new: bool = False) -> dict:
    """``new``: just created in this request, so it has no result and no requests yet. The
    history is the ``reader``'s: the applicant never gets the department's internal notes
    (``selectors.history_for``); each step carries its ``label`` beside the code."""
    result = None if new else getattr(application, "result", None)
    history = selectors.history_for(application, staff=selectors.is_staff_of(reader, application))
    return {
        "id": application.pk,
        "number": application.number,
        "service": application.service.code,
        "version": application.version.number,
        "status": application.status,
        "status_text": services.status_text(application, application.status),
        "channel": application.channel,
        "variant": application.variant,
        "answers": application.answers,
        "submitted_at": application.submitted_at,
        "due_at": application.due_at,
        "return_reasons": application.return_reasons,
        "decision_reasons": application.decision_reasons,
        "result_url": reverse("municipal_services:result_pdf", args=[application.pk])
        if result
        else None,
        "events": [
            {
                "kind": e.kind,
                "label": e.label,
                "status": e.to_status,
                "text": e.text,
                "internal": e.internal,
                "at": e.created_at,
            }
            for e in history
        ],
        "requests": [
            {
                "type": r.type.code,
                "addressee": str(r.addressee),
                "status": r.status,
                "due_at": r.due_at,
            }
            for r in (
                [] if new else application.standard_requests.select_related("type", "addressee")
            )
        ],
    }


@applications_router.post(
    "",
    response={201: ApplicationOut, 202: AcceptedOut},
)
def create_application(request, payload: ApplicationIn):
    """Start an application (channel ``api``) with its answers; ``submit: true`` also submits
    it: validated at once against the published version's JSON Schema (422 with errors per
    field, nothing stored), then **202** with a receipt token — ``GET receipt_url`` tells its
    number once registered (usually within a second), or the reason it was refused. Where the
    installation registers submissions at once, the answer is **201** with the application."""
    if payload.submit:
        version = intake.offered_version(payload.service)
        if version is None:
            selectors.service_by_code(payload.service)  # 404 for an unknown code
            raise NotFound(_("This service is not offered at the moment."))
        item = services.receive_application(
            actor=request.user,
            version=version,
            answers=payload.answers,
            idempotency_key=idempotency_key(request, scope=f"user{request.user.pk}"),
        )
        if item.pending or item.repeated:  # a repeated key answers with the first receipt
            return accepted(item)
        application = services.registered_application(item)
        return Status(201, _application_out(application, reader=request.user, new=True))
    service = selectors.service_by_code(payload.service)
    application = services.start_application(
        actor=request.user, service=service, channel=Application.Channel.API
    )
    services.save_draft(application=application, actor=request.user, answers=payload.answers)
    return Status(
        201,
        _application_out(
            selectors.application_for(request.user, application.pk), reader=request.user
        ),
    )


@applications_router.get("", response=list[ApplicationOut])
def my_applications(request, limit: int = params.limit(), offset: int = params.offset()):
    rows = selectors.applications_of(request.user)[offset : offset + limit]
    return [_application_out(a, reader=request.user) for a in rows]


class DeskRowOut(Schema):
    id: int
    number: str | None
    service: str
    department: str
    status: str
    channel: str
    assignee: str | None
    due_at: dt.datetime | None
    is_overdue: bool


@applications_router.get("/desk", response=list[DeskRowOut])
def desk(
    request,
    status: str = "",
    overdue: bool = False,
    limit: int = params.limit(),
    offset: int = params.offset(),
):
    """Staff: open applications of the departments where the caller works, oldest deadline
    first (``overdue=true`` for the overdue dashboard)."""
    from cityhall.accounts.permissions import require_role

    require_role(request.user, selectors.STAFF_ROLES)
    rows = selectors.desk(request.user, status=status, overdue_only=overdue)
    return [
        {
            "id": a.pk,
            "number": a.number,
            "service": a.service.code,
            "department": str(a.department),
            "status": a.status,
            "channel": a.channel,
            "assignee": str(a.assignee) if a.assignee_id else None,
            "due_at": a.due_at,
            "is_overdue": a.is_overdue,
        }
        for a in rows[offset : offset + limit]
    ]


@applications_router.get("/{application_id}", response=ApplicationOut)
def get_application(request, application_id: int):
    return _application_out(
        selectors.application_for(request.user, application_id), reader=request.user
    )


class AnswersIn(Schema):
    answers: dict


@applications_router.put("/{application_id}/answers", response=ApplicationOut)
def save_answers(request, application_id: int, payload: AnswersIn):
    application = selectors.application_for(request.user, application_id)
    services.save_draft(application=application, actor=request.user, answers=payload.answers)
    return _application_out(
        selectors.application_for(request.user, application_id), reader=request.user
    )


@applications_router.post("/{application_id}/files", response={201: dict})
def upload_file(request, application_id: int, document_code: Form[str], file: File[UploadedFile]):
    application = selectors.application_for(request.user, application_id)
    stored = services.upload_file(
        application=application, actor=request.user, document_code=document_code, upload=file
    )
    return Status(
        201,
        {
            "id": stored.pk,
            "document_code": stored.document_code,
            "size": stored.size,
            "content_type": stored.content_type,
        },
    )


@applications_router.post("/{application_id}/submit", response=ApplicationOut)
def submit(request, application_id: int):
    application = selectors.application_for(request.user, application_id)
    services.submit_application(application=application, actor=request.user)
    return _application_out(
        selectors.application_for(request.user, application_id), reader=request.user
    )


class ActionIn(Schema):
    action: str
    reasons: list[str] = []
    expert_id: int | None = None
    note: str = ""
    question: str = ""
    conclusion: str = ""
    proposed: str = ""
    outcome: str = ""
    days: int = 0
    reason: str = ""
    request_type: str = ""
    payload: dict = {}


def _expert(user_id):
    from cityhall.accounts.models import User

    user = User.objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        raise InvalidInput(fields={"expert_id": [_("Choose an expert.")]})
    return user


@applications_router.post("/{application_id}/actions", response=ApplicationOut)
def act(request, application_id: int, payload: ActionIn):
    """Staff actions: ``accept``, ``return`` (reasons), ``forward`` (expert_id), ``ask_opinion``
    (expert_id, question), ``conclude`` (conclusion, proposed), ``decide`` (outcome, reasons),
    ``suspend`` (reason), ``resume``, ``extend`` (days, reason), ``send_request``
    (request_type, payload); the applicant's ``withdraw``."""
    application = selectors.application_for(request.user, application_id)
    user, p = request.user, payload
    handlers = {
        "accept": lambda: services.accept_application(application=application, actor=user),
        "return": lambda: services.return_application(
            application=application, actor=user, reasons=p.reasons
        ),
        "forward": lambda: services.forward_to_expert(
            application=application, actor=user, expert=_expert(p.expert_id), note=p.note
        ),
        "ask_opinion": lambda: services.ask_opinion(
            application=application, actor=user, expert=_expert(p.expert_id), question=p.question
        ),
        "conclude": lambda: services.send_to_decision(
            application=application, actor=user, conclusion=p.conclusion, proposed=p.proposed
        ),
        "decide": lambda: services.decide(
            application=application, actor=user, outcome=p.outcome, reasons=p.reasons
        ),
        "suspend": lambda: services.suspend_application(
            application=application, actor=user, reason=p.reason
        ),
        "resume": lambda: services.resume_application(application=application, actor=user),
        "extend": lambda: services.extend_application(
            application=application, actor=user, days=p.days, reason=p.reason
        ),
        "withdraw": lambda: services.withdraw_application(application=application, actor=user),
        "send_request": lambda: services.send_standard_request(
            application=application,
            actor=user,
            type=_request_type(p.request_type),
            payload=p.payload,
        ),
    }
    handler = handlers.get(p.action)
    if handler is None:
        raise InvalidInput(
            fields={"action": [_("Unknown action; one of: %(a)s") % {"a": ", ".join(handlers)}]}
        )
    handler()
    return _application_out(
        selectors.application_for(request.user, application_id), reader=request.user
    )


def _request_type(code: str) -> StandardRequestType:
    kind = StandardRequestType.objects.select_related("addressee").filter(code=code).first()
    if kind is None:
        raise InvalidInput(fields={"request_type": [_("Unknown request type.")]})
    return kind
