"""Resident requests API (/api/v1/requests): the catalogue, submitting, reading one's own
requests, and the workflow moves for staff. Thin: every change is one service call."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from cityhall.accounts.api_auth import OptionalAuth
from cityhall.core.api import AcceptedOut, accepted, idempotency_key
from cityhall.core.errors import Forbidden

from . import selectors, services
from .models import ApplicantKind, Channel, ServiceRequest
from .services import intake

router = Router(tags=["service_requests"])


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    is_emergency: bool
    attributes: list


class RequestIn(Schema):
    category: str
    description: str = ""
    #: Keep the description to the people handling the request (not on public pages).
    description_private: bool = False
    building_id: int | None = None
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    applicant_kind: str = ApplicantKind.PERSON
    contact_phone: str = ""
    contact_email: str = ""
    attributes: dict = {}


class RequestOut(Schema):
    id: int
    number: str
    status: str
    category: str
    address: str
    organisation: str | None
    stage_due_at: dt.datetime | None
    created_at: dt.datetime
    version: int


class TransitionIn(Schema):
    to: str
    reason: str = ""
    report: str = ""
    organisation_id: int | None = None
    version: int | None = None


class CommentIn(Schema):
    text: str


class CommentOut(Schema):
    id: int
    text: str
    is_staff: bool
    created_at: dt.datetime


class FeedbackIn(Schema):
    score: int
    text: str = ""


class HistoryOut(Schema):
    to_status: str
    organisation: str | None
    created_at: dt.datetime


class MergeIn(Schema):
    parent_id: int
    version: int | None = None


def _out(item: ServiceRequest) -> dict:
    return {
        "id": item.pk,
        "number": item.number,
        "status": item.status,
        "category": item.category.code,
        "address": item.address,
        "organisation": str(item.organisation) if item.organisation_id else None,
        "stage_due_at": item.stage_due_at,
        "created_at": item.created_at,
        "version": item.version,
    }


@router.get("/categories", response=list[CategoryOut], auth=OptionalAuth())
def categories(request):
    return [
        {
            "code": c.code,
            "name": c.name,
            "group": c.group,
            "is_emergency": c.is_emergency,
            "attributes": c.current_version.attributes,
        }
        for c in selectors.active_categories()
    ]


@router.post(
    "/",
    response={201: RequestOut, 202: AcceptedOut},
    summary="Report a problem",
)
def submit(request, payload: RequestIn):
    """Checked at once (field errors in ``fields``, nothing stored); then **202** with a
    receipt token — ``GET receipt_url`` gives the request's number once registered, moments
    later — or **201** with the request when it was registered at once."""
    checked = intake.prepare(
        category=payload.category,
        description=payload.description,
        description_private=payload.description_private,
        channel=Channel.WEB,
        author=request.user,
        building=payload.building_id,
        address=payload.address,
        lat=payload.lat,
        lon=payload.lon,
        applicant_kind=payload.applicant_kind,
        contact_phone=payload.contact_phone,
        contact_email=payload.contact_email,
        attributes=payload.attributes,
    )
    key = idempotency_key(request, scope=f"user{request.user.pk}")
    item = intake.receive(checked, idempotency_key=key)
    if item.pending or item.repeated:  # a repeated key answers with the first receipt
        return accepted(item)
    return Status(201, _out(services.registered(item)))


@router.get("/mine", response=list[RequestOut])
def mine(request):
    return [_out(r) for r in selectors.requests_of(request.user)[:100]]


@router.get("/{request_id}", response=RequestOut)
def detail(request, request_id: int):
    item = get_object_or_404(
        ServiceRequest.objects.select_related("category", "organisation"), pk=request_id
    )
    if not services.roles_on(request.user, item) - {services.SYSTEM}:
        raise Forbidden()
    return _out(item)


@router.post("/{request_id}/transition", response=RequestOut)
def transition(request, request_id: int, payload: TransitionIn):
    from cityhall.accounts.models import Organisation

    org = None
    if payload.organisation_id:
        org = get_object_or_404(Organisation, pk=payload.organisation_id)
    item = services.transition(
        request=request_id,
        actor=request.user,
        to=payload.to,
        reason=payload.reason,
        report=payload.report,
        organisation=org,
        expected_version=payload.version,
    )
    return _out(item)


@router.post("/{request_id}/merge", response=RequestOut)
def merge(request, request_id: int, payload: MergeIn):
    item = services.merge(
        request=request_id,
        parent=payload.parent_id,
        actor=request.user,
        expected_version=payload.version,
    )
    return _out(item)


@router.get("/{request_id}/history", response=list[HistoryOut], auth=OptionalAuth())
def history(request, request_id: int):
    """Public: the status history (no personal data)."""
    item = get_object_or_404(ServiceRequest, pk=request_id)
    return [
        {
            "to_status": h.to_status,
            "organisation": str(h.organisation) if h.organisation_id else None,
            "created_at": h.created_at,
        }
        for h in item.history.select_related("organisation")
    ]


@router.post("/{request_id}/comments", response={201: CommentOut})
def comment(request, request_id: int, payload: CommentIn):
    item = get_object_or_404(
        ServiceRequest.objects.select_related("organisation", "author", "executor"),
        pk=request_id,
    )
    created = services.add_comment(request=item, author=request.user, text=payload.text)
    return Status(
        201,
        {
            "id": created.pk,
            "text": created.text,
            "is_staff": created.is_staff,
            "created_at": created.created_at,
        },
    )


@router.post("/{request_id}/feedback", response={201: dict})
def feedback(request, request_id: int, payload: FeedbackIn):
    item = get_object_or_404(ServiceRequest, pk=request_id)
    vote = services.leave_feedback(
        request=item, author=request.user, score=payload.score, text=payload.text
    )
    return Status(201, {"score": vote.score})
