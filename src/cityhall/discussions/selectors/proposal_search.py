"""Finding proposals inside one discussion: text search (``?q=метро``), filters by kind,
status (the organiser's recommendation, or hidden), expert's answer, the participant's
district and the section of the project, and sorting — for the discussion's page and the API.

Text search: on PostgreSQL, full-text search in Russian (word forms: "станции" finds
"станция") or the words as substrings, whichever matches; on SQLite, whose LIKE folds case for
ASCII only, each word as a substring in the spellings people write it (as typed, lower case,
capitalised, upper case). Hidden texts are never searched: a match would tell what they say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db import connections
from django.db.models import Count, Q, QuerySet

from ..models import Discussion, DocumentSection, Proposal
from .record import PAGE_SIZE, ProposalPage

__all__ = [
    "ANSWER_FILTERS",
    "SORTS",
    "STATUS_FILTERS",
    "ProposalQuery",
    "search_proposals",
    "section_counts",
    "text_filter",
]

#: ``sort`` values and their order (the number breaks ties: a stable order for paging).
SORTS = {
    "number": ("number",),
    "newest": ("-number",),
    "support": ("-support_count", "number"),
}
#: ``status``: the organiser's recommendation, or hidden by a moderator.
STATUS_FILTERS = ("accept", "reject", "pending", "hidden")
#: ``answer``: questions with or without an expert's answer.
ANSWER_FILTERS = ("answered", "unanswered")
MAX_WORDS = 5


@dataclass(frozen=True)
class ProposalQuery:
    """What the reader asked for; unknown values are ignored (the page shows everything)."""

    q: str = ""
    kind: str = ""
    status: str = ""
    answer: str = ""
    district: int | None = None
    section: int | None = None
    sort: str = "number"

    @property
    def is_plain(self) -> bool:
        """Nothing but (perhaps) the kind: the fast paths of ``proposals_page`` serve it."""
        return not (
            self.q.strip()
            or self.status in STATUS_FILTERS
            or self.answer in ANSWER_FILTERS
            or self.district
            or self.section
            or self.sort not in ("", "number")
        )


def text_filter(qs: QuerySet[Proposal], q: str, *, field: str = "text") -> QuerySet[Proposal]:
    """``qs`` narrowed to rows where every word of ``q`` occurs in ``field`` (in any letter
    case), or — on PostgreSQL — ``q`` matches its Russian full-text search. An empty ``q``
    leaves ``qs`` as it is."""
    words = q.split()[:MAX_WORDS]
    if not words:
        return qs
    postgres = connections[qs.db].vendor == "postgresql"
    condition = Q()
    for word in words:
        if postgres:
            condition &= Q(**{f"{field}__icontains": word})
        else:
            either = Q()
            for spelling in {word, word.lower(), word.capitalize(), word.upper()}:
                either |= Q(**{f"{field}__contains": spelling})
            condition &= either
    if not postgres:
        return qs.filter(condition)
    from django.contrib.postgres.search import SearchQuery, SearchVector

    query = SearchQuery(" ".join(words), config="russian", search_type="websearch")
    return qs.annotate(found_in=SearchVector(field, config="russian")).filter(
        condition | Q(found_in=query)
    )


def _filtered(discussion: Discussion, query: ProposalQuery) -> QuerySet[Proposal]:
    qs = Proposal.objects.filter(discussion=discussion)
    if query.kind in Proposal.Kind.values:
        qs = qs.filter(kind=query.kind)
    if query.q.strip():
        qs = text_filter(qs.filter(visibility=Proposal.Visibility.VISIBLE), query.q)
    if query.status == "hidden":
        qs = qs.filter(visibility=Proposal.Visibility.HIDDEN)
    elif query.status == "pending":
        qs = qs.filter(recommendation="").exclude(kind=Proposal.Kind.QUESTION)
    elif query.status in STATUS_FILTERS:
        qs = qs.filter(recommendation=query.status)
    if query.answer in ANSWER_FILTERS:
        qs = qs.filter(kind=Proposal.Kind.QUESTION, answer__isnull=query.answer == "unanswered")
    if query.district:
        qs = qs.filter(participant__district_id=query.district)
    if query.section:
        qs = qs.filter(section_id=query.section)
    return qs


def search_proposals(
    discussion: Discussion, query: ProposalQuery, *, page: int = 1, size: int = PAGE_SIZE
) -> ProposalPage:
    """One page of the proposals that match ``query``, in its order, with the total found."""
    qs = _filtered(discussion, query)
    total = qs.count()
    pages = max(1, math.ceil(total / size))
    page = min(max(1, page), pages)
    order = SORTS.get(query.sort) or SORTS["number"]
    items = list(
        qs.select_related("participant", "answer", "section")
        .prefetch_related("attachments")
        .order_by(*order)[(page - 1) * size : page * size]
    )
    return ProposalPage(items, page=page, pages=pages, total=total)


def section_counts(discussion: Discussion) -> list[DocumentSection]:
    """The project's sections in order, each with ``proposal_count`` (every registered item,
    hidden ones too: the count is part of the record)."""
    return list(
        DocumentSection.objects.filter(discussion=discussion)
        .annotate(proposal_count=Count("proposals"))
        .order_by("position", "id")
    )
