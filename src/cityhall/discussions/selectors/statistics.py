"""Statistics of one discussion or of all public ones (pages and exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, QuerySet

from ..models import (
    Discussion,
    Participant,
    Proposal,
)
from .record import PUBLIC_STATUSES

__all__ = ["discussion_statistics", "overall_statistics"]


def _answer_hours(qs: QuerySet[Proposal]) -> float | None:
    rows = qs.filter(kind=Proposal.Kind.QUESTION, answer__isnull=False).annotate(
        delay=F("answer__answered_at") - F("registered_at")
    )
    value = rows.aggregate(avg=Avg("delay"))["avg"]
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 3600, 1)
    return round(float(value) / 3600 / 1e6, 1)  # SQLite returns microseconds


def discussion_statistics(discussion: Discussion | None = None) -> dict[str, Any]:
    """Participants, proposals by district, type of participant, kind and channel, answer times.
    With no discussion: over all public discussions."""
    proposals = Proposal.objects.all()
    participants = Participant.objects.all()
    if discussion is not None:
        proposals = proposals.filter(discussion=discussion)
        participants = participants.filter(discussion=discussion)
    else:
        proposals = proposals.filter(discussion__status__in=PUBLIC_STATUSES)
        participants = participants.filter(discussion__status__in=PUBLIC_STATUSES)

    def grouped(qs: QuerySet, field: str) -> list[tuple[str, int]]:
        return [
            (key if key is not None else "", n)
            for key, n in qs.values_list(field).annotate(n=Count("id")).order_by("-n", field)
        ]

    by_district = grouped(proposals, "participant__district__name")
    return {
        "participants": participants.count(),
        "proposals": proposals.count(),
        "by_district": by_district,
        "by_participant_type": grouped(proposals, "participant__type"),
        "by_kind": grouped(proposals, "kind"),
        "by_channel": grouped(proposals, "channel"),
        "from_territory": proposals.filter(from_territory=True).count(),
        "questions": proposals.filter(kind=Proposal.Kind.QUESTION).count(),
        "answered": proposals.filter(kind=Proposal.Kind.QUESTION, answer__isnull=False).count(),
        "average_answer_hours": _answer_hours(proposals),
        "discussions": (
            Discussion.objects.filter(status__in=PUBLIC_STATUSES).count()
            if discussion is None
            else 1
        ),
    }


def overall_statistics() -> dict[str, Any]:
    return discussion_statistics(None)
