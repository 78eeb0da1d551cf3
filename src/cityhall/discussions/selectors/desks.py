"""Reads of the desks behind discussions: the experts' questions desk (counts, filters,
search, pages) and the public moderation log of a discussion.

The desk shows the questions of the discussions whose organiser (or a parent of it) the
person serves as expert or organiser — an expert of one council does not see another's.
The moderation log says what was hidden or restored, when and why; never the text, the
moderator's note or name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from cityhall.accounts.models import Membership, Role
from cityhall.accounts.selectors import descendants_of, organisations_where

from ..models import Discussion, DocumentSection, ModerationAction, ModerationReason, Proposal
from .proposal_search import text_filter

__all__ = [
    "DESK_STATES",
    "DeskFilters",
    "ModerationLogEntry",
    "desk_discussions",
    "desk_experts",
    "moderation_log",
    "pending_review_numbers",
    "questions_desk",
]

DESK_ROLES = (Role.EXPERT, Role.ORGANISER, Role.ADMINISTRATOR)
#: ``state`` of the desk's filter; unanswered questions first (they never leave the desk).
DESK_STATES = ("unanswered", "answered", "all")
DESK_PAGE = 50


@dataclass(frozen=True)
class DeskFilters:
    state: str = "unanswered"
    discussion: int | None = None
    section: int | None = None  # the topic: a section of the project document
    district: int | None = None
    expert: str = ""  # "" any, "me", "none" (unassigned) or a user id
    q: str = ""


def _scope(user: Any) -> QuerySet[Proposal]:
    questions = Proposal.objects.filter(kind=Proposal.Kind.QUESTION)
    if user.is_superuser:
        return questions
    organisations = descendants_of(organisations_where(user, DESK_ROLES))
    return questions.filter(discussion__organiser__in=[o.pk for o in organisations])


def desk_discussions(user: Any) -> QuerySet[Discussion]:
    """The discussions in the person's desk that have questions, newest first."""
    ids = _scope(user).values("discussion_id")
    return Discussion.objects.filter(pk__in=ids).order_by("-notice_date", "-id")


def desk_experts(user: Any) -> QuerySet:
    """Who questions may be assigned to: experts of the organisations in the person's scope."""
    organisations = (
        descendants_of(organisations_where(user, DESK_ROLES)) if not user.is_superuser else None
    )
    members = Membership.objects.filter(role=Role.EXPERT)
    if organisations is not None:
        members = members.filter(organisation__in=[o.pk for o in organisations])
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def questions_desk(user: Any, filters: DeskFilters, *, page: int = 1) -> dict[str, Any]:
    """One page of the desk and its counts: ``total``, ``unanswered``, ``answered``,
    ``mine`` (assigned to the person, unanswered) and ``unassigned`` (unanswered) — all within
    the chosen discussion, topic, district and search, whatever the state and assignee shown."""
    qs = _scope(user)
    if filters.discussion:
        qs = qs.filter(discussion_id=filters.discussion)
    if filters.section:
        qs = qs.filter(section_id=filters.section)
    if filters.district:
        qs = qs.filter(participant__district_id=filters.district)
    qs = text_filter(qs, filters.q)
    unanswered = Q(answer__isnull=True)
    counts = qs.aggregate(
        total=Count("pk"),
        unanswered=Count("pk", filter=unanswered),
        answered=Count("pk", filter=~unanswered),
        mine=Count("pk", filter=unanswered & Q(assignment__expert=user)),
        unassigned=Count("pk", filter=unanswered & Q(assignment__isnull=True)),
    )
    if filters.expert == "me":
        qs = qs.filter(assignment__expert=user)
    elif filters.expert == "none":
        qs = qs.filter(assignment__isnull=True)
    elif filters.expert.isdigit():
        qs = qs.filter(assignment__expert_id=int(filters.expert))
    if filters.state == "unanswered":
        qs = qs.filter(unanswered)
    elif filters.state == "answered":
        qs = qs.filter(~unanswered)
    qs = qs.select_related(
        "discussion", "participant__district", "section", "answer", "assignment__expert"
    ).order_by("registered_at", "id")
    rows: Page = Paginator(qs, DESK_PAGE).get_page(page)
    sections = (
        DocumentSection.objects.filter(discussion_id=filters.discussion)
        if filters.discussion
        else DocumentSection.objects.none()
    )
    return {"page": rows, "counts": counts, "sections": sections}


@dataclass(frozen=True)
class ModerationLogEntry:
    at: dt.datetime
    action: str
    action_label: str
    reason: str
    reason_label: str
    number: int
    on_comment: bool


def moderation_log(discussion: Discussion, *, limit: int = 500) -> list[ModerationLogEntry]:
    """What was hidden or restored in ``discussion``, newest first: when, which item (the
    proposal's number, or a comment on it), the action and the listed reason. No text, note or
    moderator: the log shows that moderation happened and why, not what was said."""
    rows = (
        ModerationAction.objects.filter(
            Q(proposal__discussion=discussion) | Q(comment__proposal__discussion=discussion)
        )
        .order_by("-at", "-id")
        .values_list("at", "action", "reason", "proposal__number", "comment__proposal__number")[
            :limit
        ]
    )
    actions = dict(ModerationAction.Action.choices)

    reasons = dict(ModerationReason.choices)
    return [
        ModerationLogEntry(
            at=at,
            action=action,
            action_label=str(actions.get(action, action)),
            reason=reason,
            reason_label=str(reasons.get(reason, "")),
            number=number or comment_number,
            on_comment=number is None,
        )
        for at, action, reason, number, comment_number in rows
    ]


def pending_review_numbers(discussion: Discussion, numbers: list[int]) -> set[int]:
    """Which of these (hidden) proposals the platform hid after reports and no moderator has
    decided on since: their public note says they await review, not that a moderator hid them."""
    if not numbers:
        return set()
    latest: dict[int, str] = {}
    for number, action in (
        ModerationAction.objects.filter(
            proposal__discussion=discussion, proposal__number__in=numbers
        )
        .order_by("at", "id")
        .values_list("proposal__number", "action")
    ):
        latest[number] = action
    return {n for n, action in latest.items() if action == ModerationAction.Action.AUTO_HIDE}
