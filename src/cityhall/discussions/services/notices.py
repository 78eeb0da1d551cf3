"""Who hears about a discussion, and when: e-mail subscriptions by territory and topic,
people following a discussion ("remind me"), and the news the huey jobs send them (announced,
proposals closing soon, status changed, conclusion published). Each notice goes at most once:
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

from cityhall.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cityhall.geo import selectors as geo
from cityhall.notifications.services import notify, notify_address

from .. import events, selectors
from ..eligibility import eligibility_of
from ..intake import fmt_plain
from ..models import (
    Discussion,
    DocumentType,
    Follow,
    Participant,
    PersonalReminder,
    Proposal,
    ReminderSent,
    Status,
    Subscription,
)

__all__ = [
    "CONCLUSION_NOTICE_WITHIN",
    "FOLLOWABLE",
    "REMINDER_BEFORE",
    "follow",
    "remind_conclusion",
    "send_deadline_reminders",
    "send_personal_reminders",
    "subscribe",
    "tell_participants",
    "tell_subscribers",
    "unfollow",
    "unsubscribe",
]


def subscribe(
    *,
    email: str,
    district: Any = None,
    suburb: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    document_type: DocumentType | None = None,
) -> Subscription:
    """E-mail news of discussions in a territory and/or of a topic (document type).

    The territory is one of: a district, a suburb, an address, a point on the map (none = the
    whole city). An address must be a known building and a point must lie inside the city."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise InvalidInput(fields={"email": [_("Enter a valid e-mail address.")]})
    place = selectors.find_place(address=address, lat=lat, lon=lon)
    chosen = [x for x in (district, suburb, place) if x is not None]
    if len(chosen) > 1:
        raise InvalidInput(
            fields={
                "__all__": [
                    _("Choose one territory: a district, a suburb, or an address or map point.")
                ]
            }
        )
    where: dict[str, Any] = {
        "district": district,
        "suburb": suburb,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
    }
    with transaction.atomic():
        sub = Subscription.objects.filter(email=email, document_type=document_type, **where).first()
        if sub is None:
            sub = Subscription.objects.create(
                email=email,
                document_type=document_type,
                place=place.label if place else "",
                **where,
            )
        elif not sub.is_active:
            sub.is_active = True
            sub.save(update_fields=["is_active", "updated_at"])
    return sub


def unsubscribe(*, token: str) -> Subscription:
    sub = Subscription.objects.filter(token=token).first()
    if sub is None:
        raise NotFound(_("This subscription does not exist."))
    sub.is_active = False
    sub.save(update_fields=["is_active", "updated_at"])
    return sub


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


def _matching_subscriptions(discussion: Discussion) -> list[Subscription]:
    """Active subscriptions whose territory the discussion concerns and whose topic it is:
    the whole city, one of its districts, a suburb it overlaps, a point its territory covers
    (a discussion without its own polygon counts by its districts)."""
    from django.db.models import Q

    district_ids = list(discussion.districts.values_list("id", flat=True))
    base = Subscription.objects.filter(is_active=True).filter(
        Q(document_type__isnull=True) | Q(document_type_id=discussion.document_type_id)
    )
    if discussion.territory:
        in_area = Q(district_id__in=district_ids)
    else:
        in_area = Q(district_id__in=district_ids) if district_ids else Q(district__isnull=False)
    found = list(
        base.filter(suburb__isnull=True, lat__isnull=True).filter(
            Q(district__isnull=True) | in_area
        )
    )
    points = base.filter(lat__isnull=False)
    if discussion.territory and discussion.min_lon is not None:
        points = points.filter(
            lat__gte=discussion.min_lat,
            lat__lte=discussion.max_lat,
            lon__gte=discussion.min_lon,
            lon__lte=discussion.max_lon,
        )
    for sub in points.iterator(chunk_size=500):
        district = None if discussion.territory else geo.district_for_point(sub.lat, sub.lon)
        if selectors.covers_point(discussion, sub.lat, sub.lon, district.pk if district else None):
            found.append(sub)
    suburbs = base.filter(suburb__isnull=False).select_related("suburb")
    for sub in suburbs.iterator(chunk_size=500):
        if selectors.touches_suburb(discussion, sub.suburb):
            found.append(sub)
    return found


def tell_subscribers(*, discussion: Discussion) -> int:
    """E-mail each matching subscriber once that a discussion was announced."""
    sent = 0
    url = reverse("discussions:detail", args=[discussion.pk])
    for sub in _matching_subscriptions(discussion):
        with transaction.atomic():
            _row, created = ReminderSent.objects.get_or_create(
                subscription=sub, discussion=discussion, kind="announced"
            )
            if not created:
                continue
            notify_address(
                email=sub.email,
                event=events.NEW_DISCUSSION,
                context={
                    "discussion_number": discussion.number,
                    "discussion_title": discussion.title,
                    "exposition_start": fmt_plain(discussion.exposition_start),
                    "url": url,
                    "stop": reverse("discussions:unsubscribe", args=[sub.token]),
                },
            )
            sent += 1
    return sent


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
        url = reverse("discussions:detail", args=[discussion.pk])
        for sub in _matching_subscriptions(discussion):
            with transaction.atomic():
                _row, created = ReminderSent.objects.get_or_create(
                    subscription=sub, discussion=discussion, kind="deadline"
                )
                if not created:
                    continue
                notify_address(
                    email=sub.email,
                    event=events.DEADLINE_REMINDER,
                    context={
                        "discussion_number": discussion.number,
                        "discussion_title": discussion.title,
                        "deadline": fmt_plain(discussion.proposal_deadline),
                        "url": url,
                        "stop": reverse("discussions:unsubscribe", args=[sub.token]),
                    },
                )
                sent += 1
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
    """The conclusion is published: tell everyone who submitted and every follower, once."""
    return _remind_people(
        discussion,
        _submitters(discussion) | _followers(discussion),
        PersonalReminder.Kind.CONCLUSION,
        events.CONCLUSION_PUBLISHED,
        _context(discussion),
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
