"""Overdue stages and their escalation: a stage still open after its due time is escalated to
the organisation's head and dispatchers (level 1; the committee's dispatchers when the
organisation has nobody to tell), and ``ESCALATE_TO_COMMITTEE_AFTER`` later to the committee
(level 2); escalations are new rows (stages are never edited here) and are announced in one
notice per organisation and level.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from cityhall.accounts.models import Organisation, Role, User
from cityhall.core import jobs

from .. import notices
from ..models import (
    Escalation,
    Stage,
)
from ..selectors import committee
from .statistics import quoted_table

logger = logging.getLogger(__name__)

__all__ = [
    "ESCALATE_TO_COMMITTEE_AFTER",
    "escalation_recipients",
    "send_escalation_notices",
    "sweep_overdue",
]


#: A stage still open this long after its due time is escalated to the committee.
ESCALATE_TO_COMMITTEE_AFTER = dt.timedelta(hours=24)


def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate open stages that ran over their limit, with one INSERT … SELECT per level: the
    partial index on open stages' ``due_at`` finds the late ones and the unique
    (stage, level) index skips those already escalated, so the cost follows the number of late
    stages, not the millions of open ones. Stages themselves are never edited here.

    Level 1 (due time passed): the organisation's head and dispatchers are told (else the
    committee's dispatchers). Level 2 (still open ``ESCALATE_TO_COMMITTEE_AFTER`` later): the
    committee is told. See :func:`escalation_recipients`.
    """
    now = now or timezone.now()
    stage_t, esc_t = quoted_table(Stage), quoted_table(Escalation)
    adapt = connection.ops.adapt_datetimefield_value
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for level, limit in ((1, now), (2, now - ESCALATE_TO_COMMITTEE_AFTER)):
            cursor.execute(
                f"INSERT INTO {esc_t} (stage_id, request_id, organisation_id, level, created_at) "  # noqa: S608
                f"SELECT s.id, s.request_id, s.organisation_id, %s, %s FROM {stage_t} s "
                "WHERE s.finished_at IS NULL AND s.due_at < %s AND NOT EXISTS "
                f"(SELECT 1 FROM {esc_t} e WHERE e.stage_id = s.id AND e.level = %s)",
                [level, adapt(now), adapt(limit), level],
            )
            counts[f"level{level}"] = cursor.rowcount
    if counts.get("level1") or counts.get("level2"):
        jobs.enqueue_on_commit("service_requests.send_escalation_notices")
    return counts


def escalation_recipients(
    *, level: int, organisation: Organisation | None, centre: Organisation | None
) -> list[User]:
    """Who an escalation must reach — the rule:

    * level 1 (a stage ran over its limit): the organisation's head and its dispatchers; an
      organisation with neither (or a request with no organisation) falls to the committee's
      dispatchers;
    * level 2 (still open a day later): the committee's head and its dispatchers.

    Only active people count. An empty list means nobody can be told: the sweep marks those
    escalations unreached and the dispatcher board says so.
    """
    return _recipients(level=level, organisation=organisation, centre=centre)[0]


def _recipients(
    *, level: int, organisation: Organisation | None, centre: Organisation | None
) -> tuple[list[User], bool]:
    """:func:`escalation_recipients`, and whether they are the organisation's own people."""
    people: list[User] = []

    def head_and_dispatchers(org: Organisation, *, head: bool = True) -> list[User]:
        found = list(
            User.objects.filter(
                memberships__organisation=org,
                memberships__role=Role.DISPATCHER,
                is_active=True,
            ).distinct()
        )
        if head and org.head_id and org.head.is_active:
            found.insert(0, org.head)
        return found

    if level == 1 and organisation is not None:
        people = head_and_dispatchers(organisation)
        if people:
            return list({u.pk: u for u in people}.values()), True
    if centre is not None:
        people = head_and_dispatchers(centre, head=level >= 2)
    return list({u.pk: u for u in people}.values()), False


def send_escalation_notices(*, now: dt.datetime | None = None) -> int:
    """One notice per organisation and level, however many requests, to the people of
    :func:`escalation_recipients`. Escalations nobody could be told of (no such person, or no
    channel reached them) are marked ``unreached`` — shown on the dispatcher board — instead of
    passing silently as notified."""
    from django.urls import reverse

    from cityhall.notifications.services import notify

    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            Escalation.objects.filter(notified_at__isnull=True)
            .values("organisation_id", "level")
            .annotate(count=Count("id"), last=Max("id"))
        )
        centre = committee()
        orgs = Organisation.objects.select_related("head").in_bulk(
            [p["organisation_id"] for p in pending if p["organisation_id"]]
        )
        queue, board = reverse("service_requests:queue"), reverse("service_requests:board")
        for row in pending:
            org = orgs.get(row["organisation_id"])
            reached = 0
            people, own = _recipients(level=row["level"], organisation=org, centre=centre)
            # The organisation's people open their queue, the committee its dispatcher board.
            url = f"{queue if own else board}?overdue=1"
            if not own and org is not None:
                url += f"&organisation={org.pk}"
            for user in people:
                with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                    requests_text = ngettext(
                        "%(count)s request", "%(count)s requests", row["count"]
                    ) % {"count": row["count"]}
                delivered = notify(
                    recipient=user,
                    event=notices.OVERDUE,
                    context={
                        "organisation": str(org) if org else gettext_lazy("dispatcher queue"),
                        "count": row["count"],
                        "requests": requests_text,
                        "level": row["level"],
                        "url": url,
                    },
                )
                reached += bool(delivered)
            sent += reached
            if not reached:
                logger.warning(
                    "overdue escalation level %s of organisation %s reached nobody (%s requests)",
                    row["level"],
                    row["organisation_id"],
                    row["count"],
                )
            # Only the rows counted above: escalations the sweep adds meanwhile wait their turn.
            Escalation.objects.filter(
                notified_at__isnull=True,
                organisation_id=row["organisation_id"],
                level=row["level"],
                pk__lte=row["last"],
            ).update(notified_at=now, unreached=not reached)
    return sent
