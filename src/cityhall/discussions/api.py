"""Public discussions API (``/api/v1/discussions``): thin handlers over selectors and services.

Reads are public (signed in or not); submitting needs an eligible, identified participant.
Personal data of private persons never appear: authors are "Participant No. N".
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from cityhall.accounts.api_auth import AUTH, OptionalAuth
from cityhall.core.api import AcceptedOut, accepted, idempotency_key
from cityhall.core.errors import NotFound
from cityhall.core.models import InboxItem

from . import selectors, services, similarity
from .eligibility import eligibility_of
from .models import Discussion, FinalDocument, Proposal
from .proposal_places import area_from_text

router = Router(tags=["discussions"])
PUBLIC = [OptionalAuth()]


class DiscussionOut(Schema):
    id: int
    number: str
    title: str
    document_type: str
    organiser: str
    status: str
    notice_date: dt.date
    exposition_start: dt.datetime
    exposition_end: dt.date
    proposal_deadline: dt.datetime
    conclusion_due: dt.date
    proposal_count: int
    participant_count: int
    url: str


class DiscussionDetailOut(DiscussionOut):
    description: str
    territory: dict | None
    districts: list[str]
    with_meeting: bool
    conclusions: str
    cancel_reason: str


class DocumentVersionOut(Schema):
    number: int
    file_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_at: dt.datetime
    url: str


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    versions: list[DocumentVersionOut]


class AnswerOut(Schema):
    text: str
    answered_at: dt.datetime


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


class ProposalOut(Schema):
    number: int
    registered_at: dt.datetime
    kind: str
    channel: str
    participant: str
    from_territory: bool
    hidden: bool
    hidden_reason: str
    text: str
    support_count: int
    recommendation: str
    recommendation_reason: str
    answer: AnswerOut | None = None
    attachments: list[AttachmentOut] = []
    section_id: int | None = None
    section: str = ""
    lat: float | None = Field(None, description="the point the proposal is about (latitude)")
    lon: float | None = Field(None, description="the point the proposal is about (longitude)")
    area: dict | None = Field(
        None, description="the area the proposal is about: a GeoJSON Polygon (lon, lat)"
    )


class ProposalPageOut(Schema):
    total: int
    page: int
    pages: int
    next_after: int | None
    items: list[ProposalOut]


PLACE_HELP = (
    "Optional, one of: a point (`lat`, `lon`), an `area` (GeoJSON Polygon, at most 500 corners) "
    "or an `address` of the register; inside the discussion's territory, else **422**."
)


class ProposalIn(Schema):
    text: str
    kind: str = "proposal"
    lat: float | None = Field(None, description="latitude of the point. " + PLACE_HELP)
    lon: float | None = Field(None, description="longitude of the point")
    area: dict | None = Field(None, description="a GeoJSON Polygon")
    address: str = Field("", max_length=300, description="an address of the city's register")
    #: "self", or the id of a company or public authority the author represents; empty: the
    #: account's usual capacity (a representative's account: its company).
    on_behalf: str = ""

    section: int | None = Field(
        None, description="id of the project's section it is about (`GET .../sections`)"
    )


class ProposalFormIn(Schema):
    """The fields of a proposal sent as ``multipart/form-data`` with its files."""

    text: str
    kind: str = "proposal"
    lat: float | None = None
    lon: float | None = None
    area: str = Field("", description="a GeoJSON Polygon as JSON text (see `POST /{pk}/proposals`)")
    address: str = Field("", max_length=300)


class ProposalFilters(Schema):
    """Search, filters and order of a discussion's proposals (the page reads the same names)."""

    page: int = 1
    kind: str = Field("", description="`proposal`, `remark` or `question`")
    after: int | None = Field(
        None, description="with `kind` alone: the next page after this number (keyset)"
    )
    q: str = Field(
        "",
        max_length=200,
        description=(
            "text search in the proposals' texts, every word (any letter case; on PostgreSQL "
            "also Russian word forms); hidden texts are never searched"
        ),
    )
    status: str = Field(
        "",
        description="the organiser's recommendation: `accept`, `reject`, `pending`; or `hidden`",
    )
    answer: str = Field("", description="questions `answered` or `unanswered` by an expert")
    district: int | None = Field(None, description="id of the participant's district")
    section: int | None = Field(None, description="id of the project's section")
    sort: str = Field(
        "number", description="`number` (oldest first), `newest`, `support` (most supported)"
    )


class ProposalReceiptOut(Schema):
    number: int
    registered_at: dt.datetime
    url: str


class EligibilityOut(Schema):
    eligible: bool
    reasons: list[dict]
    #: The capacities the person may take part in: {"on_behalf", "label", "participant_type"}.
    options: list[dict] = []


class AnswerIn(Schema):
    text: str


class FinalOut(Schema):
    kind: str
    number: str
    state: str
    pdf_sha256: str
    json_sha256: str
    signed_at: dt.datetime | None
    pdf_url: str
    json_url: str


class Filters(Schema):
    q: str = ""
    district: int | None = None
    document_type: int | None = None
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    limit: int = 50
    offset: int = 0


def _discussion(d: Discussion) -> dict:
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "document_type": d.document_type.code,
        "organiser": d.organiser.name,
        "status": d.status,
        "notice_date": d.notice_date,
        "exposition_start": d.exposition_start,
        "exposition_end": d.exposition_end,
        "proposal_deadline": d.proposal_deadline,
        "conclusion_due": d.conclusion_due,
        "proposal_count": d.proposal_count,
        "participant_count": d.participant_count,
        "url": reverse("discussions:detail", args=[d.pk]),
    }


def _proposal(p: Proposal) -> dict:
    hidden = p.visibility == Proposal.Visibility.HIDDEN
    answer = getattr(p, "answer", None) if p.kind == Proposal.Kind.QUESTION else None
    return {
        "number": p.number,
        "registered_at": p.registered_at,
        "kind": p.kind,
        "channel": p.channel,
        "participant": p.participant.public_name,
        "from_territory": p.from_territory,
        "hidden": hidden,
        "hidden_reason": p.hidden_reason,
        "text": "" if hidden else p.text,
        "support_count": p.support_count,
        "recommendation": p.recommendation,
        "recommendation_reason": p.recommendation_reason,
        "answer": (
            {"text": answer.text, "answered_at": answer.answered_at}
            if answer and not hidden
            else None
        ),
        "section_id": p.section_id,
        "section": str(p.section) if p.section_id else "",
        "attachments": [] if hidden else [_attachment(p, a) for a in p.attachments.all()],
        # A hidden proposal's place goes with its text: neither is public.
        "lat": None if hidden else p.lat,
        "lon": None if hidden else p.lon,
        "area": None if hidden else p.area,
    }


def _attachment(p: Proposal, a) -> dict:
    return {
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "url": reverse("files:serve", args=[a.stored_id]),
    }


@router.get("", response=list[DiscussionOut], auth=PUBLIC, summary="List discussions")
def list_discussions(request: HttpRequest, filters: Query[Filters]):
    data = filters.dict()
    limit = max(1, min(int(data.pop("limit")), 200))
    offset = max(0, min(int(data.pop("offset")), 10000))
    qs = selectors.public_discussions(**data)[offset : offset + limit]
    return [_discussion(d) for d in qs]


@router.get("/{pk}", response=DiscussionDetailOut, auth=PUBLIC, summary="One discussion")
def get_discussion(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    return {
        **_discussion(d),
        "description": d.description,
        "territory": d.territory,
        "districts": list(d.districts.values_list("name", flat=True)),
        "with_meeting": d.with_meeting,
        "conclusions": d.conclusions if d.status in ("conclusion_published", "archived") else "",
        "cancel_reason": d.cancel_reason,
    }


@router.get("/{pk}/documents", response=list[DocumentOut], auth=PUBLIC, summary="Documents")
def list_documents(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    return [
        {
            "id": doc.pk,
            "kind": doc.kind,
            "title": doc.title,
            "versions": [
                {
                    "number": v.number,
                    "file_name": v.original_name,
                    "content_type": v.content_type,
                    "size": v.size,
                    "sha256": v.sha256,
                    "note": v.note,
                    "uploaded_at": v.uploaded_at,
                    "url": reverse("files:serve", args=[v.stored_id]),
                }
                for v in doc.versions.all()
            ],
        }
        for doc in selectors.documents_of(d)
    ]


@router.get(
    "/{pk}/proposals",
    response=ProposalPageOut,
    auth=PUBLIC,
    summary="Proposals: search, filter, sort",
    description=(
        "Pages of 50. With no search, filter or order but `kind`, numbered pages (`page`) or, "
        "with `kind`, pages after a number (`after`, `next_after`). With any of `q`, `status`, "
        "`answer`, `district`, `section` or `sort`: numbered pages of what matches; `total` is "
        "how many match."
    ),
)
def list_proposals(request: HttpRequest, pk: int, filters: Query[ProposalFilters]):
    d = selectors.get_discussion(pk, user=request.user)
    query = selectors.ProposalQuery(
        q=filters.q,
        kind=filters.kind,
        status=filters.status,
        answer=filters.answer,
        district=filters.district,
        section=filters.section,
        sort=filters.sort,
    )
    if query.is_plain:
        result = selectors.proposals_page(
            d, page=filters.page, kind=filters.kind, after=filters.after
        )
    else:
        result = selectors.search_proposals(d, query, page=filters.page)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "next_after": result.next_after,
        "items": [_proposal(p) for p in result.items],
    }


@router.get("/{pk}/questions", response=ProposalPageOut, auth=PUBLIC, summary="Questions")
def list_questions(request: HttpRequest, pk: int, after: int | None = None):
    return list_proposals(request, pk, ProposalFilters(kind=Proposal.Kind.QUESTION, after=after))


@router.get("/{pk}/proposals/{int:number}", response=ProposalOut, auth=PUBLIC)
def get_proposal(request: HttpRequest, pk: int, number: int):
    d = selectors.get_discussion(pk, user=request.user)
    return _proposal(selectors.get_proposal(d, number))


@router.get("/{pk}/eligibility", response=EligibilityOut, auth=AUTH)
def my_eligibility(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    result = eligibility_of(d, request.user)
    return {
        "eligible": result.eligible,
        "reasons": [
            {"code": r.code, "message": str(r.message), "what_to_do": str(r.what_to_do)}
            for r in result.reasons
        ],
        "options": [
            {
                "on_behalf": o.on_behalf,
                "label": str(o.capacity_label),
                "participant_type": o.participant_type,
            }
            for o in result.options
        ],
    }


@router.post(
    "/{pk}/proposals",
    response={201: ProposalReceiptOut, 202: AcceptedOut},
    auth=AUTH,
    summary="Submit a proposal, remark or question",
    description=(
        "Checked at once (input, exposition window, eligibility, a repeat of the same text "
        "within a minute): a refusal stores nothing. Otherwise **202 Accepted** with the "
        "receipt token: the proposal is received for good and registered moments later; "
        "`receipt_url` then gives its number (or the reason if it was refused, e.g. the "
        "discussion was cancelled meanwhile). **201** with the number when it was registered "
        "at once."
    ),
)
def submit_proposal(request: HttpRequest, pk: int, payload: ProposalIn):
    item = services.receive_proposal(
        discussion_id=pk,
        author=request.user,
        text=payload.text,
        kind=payload.kind,
        lat=payload.lat,
        lon=payload.lon,
        area=payload.area,
        address=payload.address,
        idempotency_key=idempotency_key(request, scope=f"user{request.user.pk}"),
        on_behalf=payload.on_behalf,
        section=payload.section,
    )
    return _receipt(item)


@router.post(
    "/{pk}/proposals/with-attachments",
    response={201: ProposalReceiptOut, 202: AcceptedOut},
    auth=AUTH,
    summary="Submit a proposal, remark or question with attachments (multipart/form-data)",
    description=(
        "The same as `POST /{pk}/proposals`, sent as `multipart/form-data`: the fields `text`, "
        "`kind`, `lat`, `lon` and up to 5 files in `attachments` (PDF, PNG, JPEG or GeoJSON, "
        "10 MB each). The type is read from each file's content; images are decoded and "
        "re-encoded without their metadata (EXIF: author, GPS position), and an image with "
        "more pixels than the limit is refused. A refused file refuses the proposal with "
        "**422** naming the file and the reason, and nothing is stored."
    ),
)
def submit_proposal_with_attachments(
    request: HttpRequest,
    pk: int,
    payload: Form[ProposalFormIn],
    attachments: File[list[UploadedFile]],
):
    item = services.receive_proposal(
        discussion_id=pk,
        author=request.user,
        text=payload.text,
        kind=payload.kind,
        lat=payload.lat,
        lon=payload.lon,
        area=area_from_text(payload.area),
        address=payload.address,
        attachments=attachments,
        idempotency_key=idempotency_key(request, scope=f"user{request.user.pk}"),
    )
    return _receipt(item)


def _receipt(item):
    if item.state == InboxItem.DONE and not item.repeated:
        return HttpStatus(
            201, {"number": int(item.ref), "registered_at": item.received_at, "url": item.url}
        )
    return accepted(item)


@router.post("/{pk}/proposals/{number}/answer", response=ProposalOut, auth=AUTH)
def answer_question(request: HttpRequest, pk: int, number: int, payload: AnswerIn):
    d = selectors.get_discussion(pk, user=request.user)
    question = selectors.get_proposal(d, number)
    services.answer_question(expert=request.user, question=question, text=payload.text)
    return _proposal(selectors.get_proposal(d, number))


class SimilarOut(Schema):
    number: int
    kind: str
    excerpt: str
    score: int


class SimilarPageOut(Schema):
    items: list[SimilarOut]


@router.get(
    "/{pk}/similar",
    response=SimilarPageOut,
    auth=PUBLIC,
    url_name="discussions_similar",
    summary="Similar proposals to a text",
    description=(
        "Up to 5 visible proposals of the discussion whose texts are most like `text` (score "
        "0–100, at least 55; a text under 15 characters finds nothing). For the author before "
        "submitting; submitting never waits for it."
    ),
)
def similar(request: HttpRequest, pk: int, text: str = Query("", max_length=2000)):
    d = selectors.get_discussion(pk, user=request.user)
    return {"items": [vars(s) for s in similarity.similar_proposals(d, text)]}


class SectionOut(Schema):
    id: int
    reference: str
    title: str
    proposal_count: int


@router.get(
    "/{pk}/sections",
    response=list[SectionOut],
    auth=PUBLIC,
    summary="Sections of the project",
    description="Sections or pages of the project document a proposal may be attached to "
    "(`section` when submitting), with how many items each has; filter the proposals with "
    "`section`.",
)
def list_sections(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    return [
        {"id": s.pk, "reference": s.reference, "title": s.title, "proposal_count": s.proposal_count}
        for s in selectors.section_counts(d)
    ]


class ModerationLogOut(Schema):
    at: dt.datetime
    action: str = Field(description="`hide`, `restore` or `auto_hide` (after reports)")
    reason: str = Field(description="the listed reason's code (empty when restored)")
    reason_label: str
    number: int
    on_comment: bool


@router.get(
    "/{pk}/moderation-log",
    response=list[ModerationLogOut],
    auth=PUBLIC,
    summary="Moderation log",
    description="What was hidden or restored, when and why (newest first); never the text.",
)
def moderation_log(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    return [
        {
            "at": e.at,
            "action": e.action,
            "reason": e.reason,
            "reason_label": e.reason_label,
            "number": e.number,
            "on_comment": e.on_comment,
        }
        for e in selectors.moderation_log(d)
    ]


def _final(d: Discussion, kind: str) -> FinalDocument:
    doc = FinalDocument.objects.filter(
        discussion=d, kind=kind, state=FinalDocument.State.SIGNED
    ).first()
    if doc is None:
        raise NotFound()
    return doc


@router.get("/{pk}/final", response=list[FinalOut], auth=PUBLIC, summary="Protocol, conclusion")
def list_final(request: HttpRequest, pk: int):
    d = selectors.get_discussion(pk, user=request.user)
    return [
        {
            "kind": doc.kind,
            "number": doc.number,
            "state": doc.state,
            "pdf_sha256": doc.pdf_sha256,
            "json_sha256": doc.json_sha256,
            "signed_at": doc.signed_at,
            "pdf_url": reverse("files:serve", args=[doc.pdf_file_id]),
            "json_url": reverse("files:serve", args=[doc.json_file_id]),
        }
        for doc in FinalDocument.objects.filter(
            discussion=d, state=FinalDocument.State.SIGNED
        ).order_by("kind")
    ]


@router.get("/{pk}/{kind}.{fmt}", auth=PUBLIC, summary="Download the protocol or conclusion")
def download_final(request: HttpRequest, pk: int, kind: str, fmt: str):
    d = selectors.get_discussion(pk, user=request.user)
    if kind not in FinalDocument.Kind.values or fmt not in ("pdf", "json"):
        raise NotFound()
    doc = _final(d, kind)
    stored_id = doc.pdf_file_id if fmt == "pdf" else doc.json_file_id
    if not stored_id:
        raise NotFound()
    return redirect(reverse("files:serve", args=[stored_id]))
