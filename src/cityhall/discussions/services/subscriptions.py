"""E-mail subscriptions to news of discussions, with double opt-in.

Anyone may ask for news at an address, but nothing is sent there until its owner follows the
confirmation link e-mailed to it (:func:`subscribe`, :func:`confirm_subscription`); a person who
did not ask ignores the one message. Every mail of a subscription carries a one-click
unsubscribe link (and the ``List-Unsubscribe`` headers, RFC 8058) that needs no sign-in. Links
are signed tokens (``django.core.signing``: the confirmation expires after
:data:`CONFIRM_WITHIN`, unsubscribing never does) and start with ``settings.SITE_URL`` (the
notification templates' ``site_url``), never the host of the request that made them.

Subscribers hear when a discussion of their territory and topic is announced, when its proposals
close soon (``notices.send_deadline_reminders``) and when its conclusion is published; each
notice at most once (a :class:`ReminderSent` row in the same transaction as the message).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityhall.accounts import throttle
from cityhall.core.errors import InvalidInput, NotFound
from cityhall.geo import selectors as geo
from cityhall.notifications.services import notify_address

from .. import events, selectors
from ..intake import fmt_plain
from ..models import Discussion, DocumentType, ReminderSent, Subscription

__all__ = [
    "CONFIRM_WITHIN",
    "confirm_subscription",
    "mail_subscribers",
    "matching_subscriptions",
    "subscribe",
    "subscription_link",
    "tell_subscribers",
    "unsubscribe",
]

#: How long a confirmation link works; after that the person subscribes again.
CONFIRM_WITHIN = dt.timedelta(days=7)
#: A pending subscription's confirmation is sent again only after this long.
RESEND_AFTER = dt.timedelta(minutes=10)
#: Confirmation mails to one address: a few an hour, so the form cannot flood a stranger.
CONFIRMATIONS_BY_EMAIL = throttle.Limit(
    "subscription-email", free=5, window=3600, first_wait=600, max_wait=24 * 3600
)
TOO_MANY_CONFIRMATIONS = gettext_lazy(
    "Several confirmations were already sent to this address. Try again in %(minutes)s minutes."
)

_SALT = "cityhall.discussions.subscription"
_URL_NAMES = {
    "confirm": "discussions:confirm_subscription",
    "unsubscribe": "discussions:unsubscribe",
}


def subscription_link(subscription: Subscription, purpose: str) -> str:
    """The path of a signed ``confirm`` or ``unsubscribe`` link of this subscription (the mail
    templates put ``site_url`` in front)."""
    data = {"s": subscription.pk, "k": subscription.token[:8]}
    if purpose == "confirm":  # with the time it was made: it expires
        token = signing.dumps(data, salt=f"{_SALT}.{purpose}")
    else:  # the same link in every mail, for good
        token = signing.Signer(salt=f"{_SALT}.{purpose}").sign_object(data)
    return reverse(_URL_NAMES[purpose], args=[token])


def _from_token(token: str, purpose: str, max_age: dt.timedelta | None) -> Subscription:
    try:
        if max_age is None:
            data = signing.Signer(salt=f"{_SALT}.{purpose}").unsign_object(token)
        else:
            data = signing.loads(token, salt=f"{_SALT}.{purpose}", max_age=max_age)
    except signing.SignatureExpired:
        raise InvalidInput(
            _("This confirmation link has expired. Subscribe again to get a new one."),
            code="expired",
        ) from None
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict):
        raise NotFound(_("This link is not valid. Copy the whole link from the e-mail."))
    sub = Subscription.objects.select_for_update().filter(pk=data.get("s")).first()
    if sub is None or sub.token[:8] != data.get("k"):
        raise NotFound(_("This subscription does not exist."))
    return sub


def subscribe(
    *,
    email: str,
    district: Any = None,
    suburb: Any = None,
    address: str = "",
    lat: Any = None,
    lon: Any = None,
    document_type: DocumentType | None = None,
    language: str | None = None,
) -> Subscription:
    """Ask for e-mail news of discussions in a territory and/or of a topic (document type).

    The territory is one of: a district, a suburb, an address, a point on the map (none = the
    whole city). An address must be a known building and a point must lie inside the city.
    Nothing is sent to the address but a confirmation link (in ``language``, default the
    page's) until its owner confirms; a subscription already confirmed stays as it is, and the
    answer is the same either way, so the form tells nobody who is subscribed."""
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
    existing = Subscription.objects.filter(
        email=email, document_type=document_type, **where
    ).first()
    if existing is not None and existing.is_active:
        return existing
    now = timezone.now()
    sent_at = existing.confirmation_sent_at if existing is not None else None
    if sent_at is not None and now - sent_at < RESEND_AFTER:
        return existing
    # Counted outside the transaction below, so a refusal still counts.
    throttle.take_or_refuse(CONFIRMATIONS_BY_EMAIL, email, message=TOO_MANY_CONFIRMATIONS)
    with transaction.atomic():
        sub = (
            Subscription.objects.select_for_update()
            .filter(email=email, document_type=document_type, **where)
            .first()
        )
        if sub is None:
            sub = Subscription.objects.create(
                email=email,
                document_type=document_type,
                place=place.label if place else "",
                is_active=False,
                **where,
            )
        elif sub.is_active:
            return sub
        sub.confirmation_sent_at = now
        sub.save(update_fields=["confirmation_sent_at", "updated_at"])
        stop = subscription_link(sub, "unsubscribe")
        notify_address(
            email=sub.email,
            event=events.SUBSCRIPTION_CONFIRM,
            context={
                "confirm": subscription_link(sub, "confirm"),
                "stop": stop,
                "days": CONFIRM_WITHIN.days,
            },
            language=language or translation.get_language() or "ru",
            unsubscribe=stop,
        )
    return sub


def confirm_subscription(*, token: str) -> Subscription:
    """The address's owner followed the confirmation link: the news start. Confirming twice is
    harmless; a link older than :data:`CONFIRM_WITHIN` is refused with the reason."""
    with transaction.atomic():
        sub = _from_token(token, "confirm", CONFIRM_WITHIN)
        if not sub.is_active:
            sub.is_active = True
            sub.confirmed_at = timezone.now()
            sub.save(update_fields=["is_active", "confirmed_at", "updated_at"])
    return sub


def unsubscribe(*, token: str) -> Subscription:
    """Stop a subscription's mail: the signed link of any of its mails, or the random token of
    the links sent before links were signed. Needs no sign-in; unsubscribing twice is fine."""
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().filter(token=token).first()
        if sub is None:
            sub = _from_token(token, "unsubscribe", None)
        if sub.is_active:
            sub.is_active = False
            sub.save(update_fields=["is_active", "updated_at"])
    return sub


def matching_subscriptions(discussion: Discussion) -> list[Subscription]:
    """Active (confirmed) subscriptions whose territory the discussion concerns and whose topic
    it is: the whole city, one of its districts, a suburb it overlaps, a point its territory
    covers (a discussion without its own polygon counts by its districts)."""
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


def mail_subscribers(
    *, discussion: Discussion, kind: str, event: str, context: dict[str, Any]
) -> int:
    """E-mail ``event`` once (per ``kind``) to each matching subscriber, with their own
    unsubscribe link in the text and the headers."""
    sent = 0
    url = reverse("discussions:detail", args=[discussion.pk])
    for sub in matching_subscriptions(discussion):
        with transaction.atomic():
            _row, created = ReminderSent.objects.get_or_create(
                subscription=sub, discussion=discussion, kind=kind
            )
            if not created:
                continue
            stop = subscription_link(sub, "unsubscribe")
            notify_address(
                email=sub.email,
                event=event,
                context={
                    "discussion_number": discussion.number,
                    "discussion_title": discussion.title,
                    "url": url,
                    "stop": stop,
                    **context,
                },
                unsubscribe=stop,
            )
            sent += 1
    return sent


def tell_subscribers(*, discussion: Discussion) -> int:
    """E-mail each matching subscriber once that a discussion was announced."""
    return mail_subscribers(
        discussion=discussion,
        kind="announced",
        event=events.NEW_DISCUSSION,
        context={"exposition_start": fmt_plain(discussion.exposition_start)},
    )
