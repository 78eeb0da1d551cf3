"""Reading the public record: discussions (drafts only for their organiser), documents,
proposals page by page, comments, final documents; the staff queues (open reports, questions
awaiting an answer) and the resident's cabinet. Used by pages, the API and feeds.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.urls import reverse

from cityhall.core.errors import NotFound
from cityhall.core.shell import CabinetItem

from ..models import (
    Comment,
    Discussion,
    DiscussionDocument,
    DocumentVersion,
    FinalDocument,
    Flag,
    Participant,
    Proposal,
    Status,
)

__all__ = [
    "PAGE_SIZE",
    "PUBLIC_STATUSES",
    "ProposalPage",
    "ProposalRow",
    "cabinet_items",
    "comments_page",
    "documents_of",
    "final_documents",
    "get_discussion",
    "get_proposal",
    "is_following",
    "my_participations",
    "open_flags",
    "proposal_rows",
    "proposals_page",
    "public_discussions",
    "questions_awaiting_answer",
    "row_of",
]


#: A draft is the organiser's; everything else is public record.
PUBLIC_STATUSES = [s for s in Status.values if s != Status.DRAFT]
PAGE_SIZE = 50


def public_discussions(
    *,
    q: str = "",
    district: int | None = None,
    document_type: int | None = None,
    status: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    open_first: bool = False,
) -> QuerySet[Discussion]:
    """Public discussions, newest notice first; ``open_first`` (the list page) puts the ones a
    resident can still act on first: open for proposals, then announced, then the record."""
    qs = Discussion.objects.filter(status__in=PUBLIC_STATUSES).select_related(
        "document_type", "organiser"
    )
    if q:
        for word in q.casefold().split()[:5]:
            qs = qs.filter(search_text__contains=word)
    if district:
        qs = qs.filter(districts__id=district)
    if document_type:
        qs = qs.filter(document_type_id=document_type)
    if status in PUBLIC_STATUSES:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(notice_date__gte=date_from)
    if date_to:
        qs = qs.filter(notice_date__lte=date_to)
    qs = qs.distinct()
    if open_first:
        qs = qs.annotate(
            stage_rank=Case(
                When(status=Status.EXPOSITION_OPEN, then=Value(0)),
                When(status=Status.ANNOUNCED, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        ).order_by("stage_rank", "-notice_date", "-id")
        return qs
    return qs.order_by("-notice_date", "-id")


def get_discussion(pk: int, *, user: Any = None) -> Discussion:
    discussion = (
        Discussion.objects.select_related("document_type", "organiser", "responsible_official")
        .filter(pk=pk)
        .first()
    )
    if discussion is None:
        raise NotFound()
    if discussion.status == Status.DRAFT:
        from cityhall.accounts.selectors import has_role

        if not has_role(user, ("organiser", "administrator"), discussion.organiser):
            raise NotFound()
    return discussion


def documents_of(discussion: Discussion) -> list[DiscussionDocument]:
    """Documents with every version, newest first (corrections never hide the old)."""
    return list(
        DiscussionDocument.objects.filter(discussion=discussion).prefetch_related(
            Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number"))
        )
    )


@dataclass
class ProposalPage:
    items: list[Proposal]
    page: int
    pages: int
    total: int
    next_after: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or self.next_after is not None


def _proposal_qs(discussion: Discussion) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(discussion=discussion)
        .select_related("participant", "answer", "section")
        .prefetch_related("attachments")
        .order_by("number")
    )


def proposals_page(
    discussion: Discussion,
    *,
    page: int = 1,
    kind: str = "",
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> ProposalPage:
    """One page of proposals. Numbers are gap-free, so page N is a number range — constant
    time however many proposals there are; a filtered list pages by keyset (``after``)."""
    total = discussion.proposal_count
    if kind in Proposal.Kind.values:
        qs = _proposal_qs(discussion).filter(kind=kind)
        if after:
            qs = qs.filter(number__gt=after)
        items = list(qs[: size + 1])
        more = len(items) > size
        items = items[:size]
        return ProposalPage(
            items,
            page=1,
            pages=1,
            total=len(items),
            next_after=items[-1].number if more else None,
        )
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    low = (page - 1) * size + 1
    items = list(_proposal_qs(discussion).filter(number__gte=low, number__lt=low + size))
    return ProposalPage(items, page=page, pages=pages, total=total)


@dataclass
class ProposalRow:
    """A proposal as the public list shows it, read as plain values (no model instances)."""

    number: int
    registered_at: dt.datetime
    kind: str
    channel: str
    text: str
    from_territory: bool
    visibility: str
    hidden_reason: str
    recommendation: str
    recommendation_reason: str
    support_count: int
    public_name: str
    answer_text: str | None
    files: list[tuple[Any, str]]  # (stored file id, name)
    section: str = ""


_ROW_FIELDS = (
    "id",
    "number",
    "registered_at",
    "kind",
    "channel",
    "text",
    "from_territory",
    "visibility",
    "hidden_reason",
    "recommendation",
    "recommendation_reason",
    "support_count",
    "participant__number",
    "participant__is_legal_entity",
    "participant__full_name",
    "answer__text",
    "section__reference",
    "section__title",
)


def proposal_rows(discussion: Discussion, *, page: int = 1, size: int = PAGE_SIZE) -> ProposalPage:
    """The same page as :func:`proposals_page` (by number range), as :class:`ProposalRow`."""
    from django.utils.translation import gettext

    from ..models import ProposalAttachment

    total = discussion.proposal_count
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    low = (page - 1) * size + 1
    raw = list(
        Proposal.objects.filter(discussion=discussion, number__gte=low, number__lt=low + size)
        .order_by("number")
        .values_list(*_ROW_FIELDS)
    )
    files: dict[int, list[tuple[Any, str]]] = {}
    if raw:
        for proposal_id, stored_id, name in ProposalAttachment.objects.filter(
            proposal_id__in=[r[0] for r in raw]
        ).values_list("proposal_id", "stored_id", "original_name"):
            files.setdefault(proposal_id, []).append((stored_id, name))
    label = gettext("Participant No. %(number)s")
    rows = [
        ProposalRow(
            *r[1:12],
            public_name=r[14] if r[13] else label % {"number": r[12]},
            answer_text=r[15],
            files=files.get(r[0], []),
            section=f"{r[16]} {r[17]}" if r[16] else "",
        )
        for r in raw
    ]
    return ProposalPage(rows, page=page, pages=pages, total=total)


def row_of(p: Proposal) -> ProposalRow:
    """A loaded proposal (with participant, answer, attachments) as a :class:`ProposalRow`."""
    answer = getattr(p, "answer", None) if p.kind == Proposal.Kind.QUESTION else None
    return ProposalRow(
        number=p.number,
        registered_at=p.registered_at,
        kind=p.kind,
        channel=p.channel,
        text=p.text,
        from_territory=p.from_territory,
        visibility=p.visibility,
        hidden_reason=p.hidden_reason,
        recommendation=p.recommendation,
        recommendation_reason=p.recommendation_reason,
        support_count=p.support_count,
        public_name=p.participant.public_name,
        answer_text=answer.text if answer else None,
        files=[(a.stored_id, a.original_name) for a in p.attachments.all()],
        section=str(p.section) if p.section_id else "",
    )


def get_proposal(discussion: Discussion, number: int) -> Proposal:
    proposal = (
        Proposal.objects.select_related("participant", "answer__expert", "discussion", "section")
        .prefetch_related("attachments")
        .filter(discussion=discussion, number=number)
        .first()
    )
    if proposal is None:
        raise NotFound()
    return proposal


def comments_page(proposal: Proposal, *, page: int = 1, size: int = 20) -> dict[str, Any]:
    """Top-level comments paginated, each with its replies (threaded), oldest first."""
    top = Comment.objects.filter(proposal=proposal, parent__isnull=True).order_by(
        "created_at", "id"
    )
    total = top.count()
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    roots = list(top[(page - 1) * size : page * size])
    replies: dict[int, list[Comment]] = {}
    if roots:
        # Replies of any depth under these roots: fetched level by level (few levels in practice).
        level = [c.pk for c in roots]
        while level:
            children = list(
                Comment.objects.filter(parent_id__in=level).order_by("created_at", "id")
            )
            for child in children:
                replies.setdefault(child.parent_id, []).append(child)
            level = [c.pk for c in children]

    def tree(comment: Comment, depth: int) -> dict[str, Any]:
        return {
            "comment": comment,
            "depth": depth,
            "replies": [tree(c, depth + 1) for c in replies.get(comment.pk, [])],
        }

    return {
        "threads": [tree(c, 0) for c in roots],
        "page": page,
        "pages": pages,
        "total": total,
    }


def final_documents(discussion: Discussion) -> dict[str, FinalDocument]:
    return {d.kind: d for d in FinalDocument.objects.filter(discussion=discussion)}


def open_flags(*, limit: int = 100) -> list[Flag]:
    """Unresolved reports, oldest first; ``target_proposal`` is the proposal concerned."""
    flags = list(
        Flag.objects.filter(resolved_at__isnull=True)
        .select_related("proposal__discussion", "comment__proposal__discussion", "reporter")
        .order_by("created_at", "id")[:limit]
    )
    for item in flags:
        item.target_proposal = item.proposal or item.comment.proposal
        item.target_text = (item.proposal or item.comment).text
        item.target_hidden = (item.proposal or item.comment).visibility == "hidden"
    return flags


def questions_awaiting_answer(*, limit: int = 100) -> list[Proposal]:
    return list(
        Proposal.objects.filter(
            kind=Proposal.Kind.QUESTION,
            answer__isnull=True,
            visibility=Proposal.Visibility.VISIBLE,
        )  # at every stage: an unanswered question never leaves the desk (issue 20.5)
        .select_related("discussion", "participant")
        .order_by("registered_at", "id")[:limit]
    )


def cabinet_items(user: Any) -> list[CabinetItem]:
    """The person's latest proposals, for the cabinet overview."""
    rows = (
        Proposal.objects.filter(author=user)
        .select_related("discussion")
        .order_by("-registered_at")[:5]
    )
    return [
        CabinetItem(
            title=f"{p.discussion.title} — № {p.number}",
            status=p.discussion.get_status_display(),
            url=reverse("discussions:proposal", args=[p.discussion_id, p.number]),
            when=p.registered_at,
        )
        for p in rows
    ]


def my_participations(user: Any) -> QuerySet[Participant]:
    return Participant.objects.filter(user=user).select_related("discussion")


def is_following(discussion: Discussion, user: Any) -> bool:
    from ..models import Follow

    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(discussion=discussion, user=user).exists()
