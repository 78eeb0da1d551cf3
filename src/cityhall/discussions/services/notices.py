"""Who hears about a discussion, and when: people following a discussion ("remind me"),
participants, and the news the huey jobs send them and the subscribers (``subscriptions``):
proposals closing soon, status changed, conclusion published. Each notice goes at most once:
a row written in the same transaction as the queued message says it was sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityhall.core.errors import Conflict, Forbidden
from cityhall.notifications.services import notify

from .. import events
from ..eligibility import eligibility_of
from ..intake import fmt_plain
from ..models import (
    Discussion,
    Follow,
    Participant,
    PersonalReminder,
    Proposal,
    Status,
)
from .subscriptions import mail_subscribers

__all__ = [
    "CONCLUSION_NOTICE_WITHIN",
    "FOLLOWABLE",
    "REMINDER_BEFORE",
    "follow",
    "remind_conclusion",
    "send_deadline_reminders",
    "send_personal_reminders",
    "tell_participants",
    "unfollow",
]


FOLLOWABLE = (Status.ANNOUNCED, Status.EXPOSITION_OPEN)


def follow(*, user: Any, discussion: Discussion) -> Follow:
    """ "Remind me": a person who may take part gets the discussion's reminders (exposition
    open, proposals closing soon, conclusion published) on their notification channels."""
    if discussion.status not in FOLLOWABLE:
        raise Conflict(_("Reminders can be asked for only before proposals close."))
    eligibility = eligibility_of(discussion, user)
    if not eligibility.eligible:
        raise Forbidden(
            eligibility.reasons[0].message
            if eligibility.reasons
            else _("You cannot take part in this discussion.")
        )
    with transaction.atomic():
        row, _created = Follow.objects.get_or_create(discussion=discussion, user=user)
    return row


def unfollow(*, user: Any, discussion: Discussion) -> bool:
    """Stop the reminders of a discussion; True if the person was following it."""
    deleted, _rows = Follow.objects.filter(discussion=discussion, user=user).delete()
    return bool(deleted)


# --- subscriptions and reminders (run by huey jobs) --------------------------------------------

REMINDER_BEFORE = dt.timedelta(days=2)


def send_deadline_reminders(*, now: dt.datetime | None = None) -> int:
    """Remind subscribers that proposals close soon (once per subscription and discussion),
    then the followers and participants (:func:`send_personal_reminders`)."""
    now = now or timezone.now()
    sent = 0
    for discussion in Discussion.objects.filter(
        status=Status.EXPOSITION_OPEN,
        proposal_deadline__gt=now,
        proposal_deadline__lte=now + REMINDER_BEFORE,
    ):
        sent += mail_subscribers(
            discussion=discussion,
            kind="deadline",
            event=events.DEADLINE_REMINDER,
            context={"deadline": fmt_plain(discussion.proposal_deadline)},
        )
    return sent + send_personal_reminders(now=now)


#: How long after the conclusion is published its notice still goes out (a late follower or a
#: job that was down catches up; older discussions are not re-announced).
CONCLUSION_NOTICE_WITHIN = dt.timedelta(days=30)


def _remind_people(
    discussion: Discussion, user_ids: Iterable[int], kind: str, event: str, context: dict
) -> int:
    """Notify each person once per (discussion, kind): the row is written in the same
    transaction as the queued messages, so a rerun never repeats and a crash never loses."""
    from django.contrib.auth import get_user_model

    ids = set(user_ids)
    if not ids:
        return 0
    already = set(
        PersonalReminder.objects.filter(discussion=discussion, kind=kind).values_list(
            "user_id", flat=True
        )
    )
    sent = 0
    users = get_user_model().objects.filter(pk__in=ids - already, is_active=True).order_by("pk")
    for user in users.iterator(chunk_size=500):
        with transaction.atomic():
            _row, created = PersonalReminder.objects.get_or_create(
                discussion=discussion, user=user, kind=kind
            )
            if not created:
                continue
            notify(recipient=user, event=event, context=context)
            sent += 1
    return sent


def _submitters(discussion: Discussion) -> set[int]:
    """People with an account who submitted a proposal, remark or question (on the site, or
    registered on their behalf by staff)."""
    return set(
        Participant.objects.filter(discussion=discussion, user__isnull=False).values_list(
            "user_id", flat=True
        )
    ) | set(
        Proposal.objects.filter(discussion=discussion, author__isnull=False).values_list(
            "author_id", flat=True
        )
    )


def _followers(discussion: Discussion) -> set[int]:
    return set(Follow.objects.filter(discussion=discussion).values_list("user_id", flat=True))


def _context(discussion: Discussion, **extra: Any) -> dict[str, Any]:
    return {
        "discussion_number": discussion.number,
        "discussion_title": discussion.title,
        "url": reverse("discussions:detail", args=[discussion.pk]),
        **extra,
    }


def remind_conclusion(*, discussion: Discussion) -> int:
    """The conclusion is published: tell everyone who submitted, every follower and every
    subscriber of its territory and topic, once each."""
    return _remind_people(
        discussion,
        _submitters(discussion) | _followers(discussion),
        PersonalReminder.Kind.CONCLUSION,
        events.CONCLUSION_PUBLISHED,
        _context(discussion),
    ) + mail_subscribers(
        discussion=discussion,
        kind="conclusion",
        event=events.SUBSCRIPTION_CONCLUSION,
        context={},
    )


def send_personal_reminders(*, now: dt.datetime | None = None) -> int:
    """The reminders each follower or participant needs, each sent at most once:

    - the exposition is open → followers who have not submitted yet;
    - proposals close within :data:`REMINDER_BEFORE` → followers who have not submitted yet;
    - the conclusion is published → everyone who submitted, and the followers.
    """
    now = now or timezone.now()
    sent = 0
    followed = Follow.objects.values("discussion_id")
    open_now = Discussion.objects.filter(
        pk__in=followed, status=Status.EXPOSITION_OPEN, proposal_deadline__gt=now
    )
    for discussion in open_now:
        deadline = {"deadline": fmt_plain(discussion.proposal_deadline)}
        if discussion.proposal_deadline <= now + REMINDER_BEFORE:
            kind, event = PersonalReminder.Kind.DEADLINE, events.FOLLOWED_DEADLINE
            followers = _followers(discussion)
        else:
            # "Proposals are open" is news only to those who followed before the opening.
            kind, event = PersonalReminder.Kind.OPENED, events.FOLLOWED_OPENED
            followers = set(
                Follow.objects.filter(
                    discussion=discussion, created_at__lt=discussion.exposition_start
                ).values_list("user_id", flat=True)
            )
        waiting = followers - _submitters(discussion)
        sent += _remind_people(discussion, waiting, kind, event, _context(discussion, **deadline))
    published = Discussion.objects.filter(
        status=Status.CONCLUSION_PUBLISHED,
        status_changes__to_status=Status.CONCLUSION_PUBLISHED,
        status_changes__at__gte=now - CONCLUSION_NOTICE_WITHIN,
    ).distinct()
    for discussion in published:
        sent += remind_conclusion(discussion=discussion)
    return sent


def tell_participants(*, discussion: Discussion, status: str) -> int:
    """Tell every participant with an account that the discussion moved on. The published
    conclusion goes through :func:`remind_conclusion` (submitters and followers, once)."""
    if status == Status.CONCLUSION_PUBLISHED:
        return remind_conclusion(discussion=discussion)
    sent = 0
    url = reverse("discussions:detail", args=[discussion.pk])
    users = (
        Participant.objects.filter(discussion=discussion, user__isnull=False)
        .select_related("user")
        .order_by("number")
    )
    for participant in users.iterator(chunk_size=500):
        with translation.override(participant.user.preferred_language):
            label = str(Status(status).label)  # in the language of the message
        with transaction.atomic():
            notify(
                recipient=participant.user,
                event=events.STATUS_CHANGED,
                context={
                    "discussion_number": discussion.number,
                    "discussion_title": discussion.title,
                    "status": label,
                    "url": url,
                },
            )
        sent += 1
    return sent
