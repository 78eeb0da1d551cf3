"""Overdue stages and their escalation: a stage still open after its due time is escalated to
the organisation's head (level 1), and ``ESCALATE_TO_COMMITTEE_AFTER`` later to the committee
(level 2); escalations are new rows (stages are never edited here) and are announced in one
notice per organisation and level.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
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

__all__ = [
    "ESCALATE_TO_COMMITTEE_AFTER",
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

    Level 1 (due time passed): the organisation's head is told. Level 2 (still open
    ``ESCALATE_TO_COMMITTEE_AFTER`` later): the committee is told.
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


def send_escalation_notices(*, now: dt.datetime | None = None) -> int:
    """One notice per organisation and level, however many requests: level 1 to the
    organisation's head, level 2 to the committee's head and dispatchers."""
    from django.urls import reverse

    from cityhall.notifications.services import notify

    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = list(
            Escalation.objects.filter(notified_at__isnull=True)
            .values("organisation_id", "level")
            .annotate(count=Count("id"))
        )
        centre = committee()
        orgs = Organisation.objects.in_bulk(
            [p["organisation_id"] for p in pending if p["organisation_id"]]
        )
        url = reverse("service_requests:queue")
        for row in pending:
            org = orgs.get(row["organisation_id"])
            recipients: list[User] = []
            if row["level"] == 1 and org is not None:
                if org.head_id:
                    recipients.append(org.head)
                else:  # no head named: the organisation's own dispatchers
                    recipients.extend(
                        User.objects.filter(
                            memberships__organisation=org,
                            memberships__role=Role.DISPATCHER,
                            is_active=True,
                        )
                    )
            if (row["level"] == 2 or org is None) and centre is not None:
                if centre.head_id:
                    recipients.append(centre.head)
                recipients.extend(
                    User.objects.filter(
                        memberships__organisation=centre,
                        memberships__role=Role.DISPATCHER,
                        is_active=True,
                    )
                )
            for user in {u.pk: u for u in recipients}.values():
                with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
                    requests_text = ngettext(
                        "%(count)s request", "%(count)s requests", row["count"]
                    ) % {"count": row["count"]}
                notify(
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
                sent += 1
        Escalation.objects.filter(notified_at__isnull=True).update(notified_at=now)
    return sent
