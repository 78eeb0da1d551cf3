"""Statistics of one discussion or of all public ones (pages and exports).

A period (``date_from``/``date_to``, local calendar days, both ends included) narrows every
figure to what happened in it: proposals and questions registered in it, participants who
registered in it, and — on the overall page — discussions whose notice was published in it
(the same rule as the list's "Notice from/to" filter). The time series counts the same
proposals per day, week (starting on Monday) or month.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from ..models import (
    Discussion,
    Participant,
    Proposal,
)
from .record import PUBLIC_STATUSES

__all__ = ["SERIES_INTERVALS", "discussion_statistics", "overall_statistics"]

#: How the time series may be grouped: the query value and the database function.
SERIES_INTERVALS = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


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


def _series(proposals: QuerySet[Proposal], interval: str) -> list[dict[str, Any]]:
    """Proposals and questions per interval, oldest first (intervals with none are left out)."""
    trunc = SERIES_INTERVALS.get(interval, TruncMonth)
    rows = (
        proposals.annotate(start=trunc("registered_at"))
        .values("start")
        .annotate(
            proposals=Count("id"),
            questions=Count("id", filter=Q(kind=Proposal.Kind.QUESTION)),
        )
        .order_by("start")
    )
    return [
        {
            "start": (r["start"].date() if isinstance(r["start"], dt.datetime) else r["start"]),
            "proposals": r["proposals"],
            "questions": r["questions"],
        }
        for r in rows
    ]


def discussion_statistics(
    discussion: Discussion | None = None,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    interval: str = "month",
) -> dict[str, Any]:
    """Participants, proposals by district, type of participant, kind and channel, answer
    times and proposals per interval, within the period when one is given. With no
    discussion: over all public discussions."""
    proposals = Proposal.objects.all()
    participants = Participant.objects.all()
    discussions = Discussion.objects.filter(status__in=PUBLIC_STATUSES)
    if discussion is not None:
        proposals = proposals.filter(discussion=discussion)
        participants = participants.filter(discussion=discussion)
    else:
        proposals = proposals.filter(discussion__status__in=PUBLIC_STATUSES)
        participants = participants.filter(discussion__status__in=PUBLIC_STATUSES)
    if date_from:
        proposals = proposals.filter(registered_at__date__gte=date_from)
        participants = participants.filter(created_at__date__gte=date_from)
        discussions = discussions.filter(notice_date__gte=date_from)
    if date_to:
        proposals = proposals.filter(registered_at__date__lte=date_to)
        participants = participants.filter(created_at__date__lte=date_to)
        discussions = discussions.filter(notice_date__lte=date_to)

    def grouped(qs: QuerySet, field: str) -> list[tuple[str, int]]:
        return [
            (key if key is not None else "", n)
            for key, n in qs.values_list(field).annotate(n=Count("id")).order_by("-n", field)
        ]

    by_district = grouped(proposals, "participant__district__name")
    interval = interval if interval in SERIES_INTERVALS else "month"
    return {
        "date_from": date_from,
        "date_to": date_to,
        "interval": interval,
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
        "discussions": discussions.count() if discussion is None else 1,
        "series": _series(proposals, interval),
    }


def overall_statistics(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    interval: str = "month",
) -> dict[str, Any]:
    return discussion_statistics(None, date_from=date_from, date_to=date_to, interval=interval)
