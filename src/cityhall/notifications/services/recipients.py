"""The recipient's side: reading cabinet messages, choosing channels, subscribing a browser to
push notifications. A person changes only their own messages and settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.core import audit
from cityhall.core.errors import Conflict, InvalidInput, NotFound

from ..channels import CHANNELS
from ..models import ChannelCode, ChannelPreference, Message, PushSubscription

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "add_push_subscription",
    "mark_all_read",
    "mark_read",
    "remove_push_subscription",
    "set_channel_preferences",
]


def mark_read(*, user: User, message_id: int) -> Message:
    """The person opened a message of theirs (only cabinet messages have an unread state)."""
    message = Message.objects.filter(
        pk=message_id, recipient=user, channel=ChannelCode.CABINET
    ).first()
    if message is None:
        raise NotFound()
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def mark_all_read(*, user: User) -> int:
    return Message.objects.filter(
        recipient=user, channel=ChannelCode.CABINET, read_at__isnull=True
    ).update(read_at=timezone.now())


def set_channel_preferences(*, user: User, enabled: Mapping[str, bool]) -> dict[str, bool]:
    """Switch channels on or off for ``user``. The cabinet cannot be switched off, and a channel
    that cannot reach the person (no phone, no push keys on the server) cannot be switched on."""
    errors: dict[str, list[str]] = {}
    for code, on in enabled.items():
        channel = CHANNELS.get(code)
        if channel is None:
            errors[code] = [_("Unknown channel.")]
        elif channel.required and not on:
            errors[code] = [_("Notifications always appear in your personal cabinet.")]
        elif on and not channel.can_reach(user):
            errors[code] = [_("This channel is not available to you.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        current = {
            p.channel: p for p in ChannelPreference.objects.select_for_update().filter(user=user)
        }
        before = {code: p.enabled for code, p in current.items()}
        for code, on in enabled.items():
            if CHANNELS[code].required:
                continue
            pref = current.get(code)
            if pref is None:
                ChannelPreference.objects.create(user=user, channel=code, enabled=bool(on))
            elif pref.enabled != bool(on):
                pref.enabled = bool(on)
                pref.save(update_fields=["enabled", "updated_at"])
        after = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
        if after != before:
            audit.record(
                actor=user,
                action="notifications.preferences_changed",
                object_type="accounts.user",
                object_id=user.pk,
                before=before,
                after=after,
            )
    return after


def add_push_subscription(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember a browser's push subscription and switch the channel on for the person."""
    if not CHANNELS[ChannelCode.PUSH].is_configured():
        raise Conflict(_("Browser notifications are not set up on this server."), code="no_push")
    errors: dict[str, list[str]] = {}
    try:
        URLValidator(schemes=["https"])(endpoint)
    except ValidationError:
        errors["endpoint"] = [_("The subscription address must be an https address.")]
    if not p256dh or len(p256dh) > 200:
        errors["p256dh"] = [_("The browser key is missing or too long.")]
    if not auth or len(auth) > 100:
        errors["auth"] = [_("The browser secret is missing or too long.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        )
        if subscription is None:
            subscription = PushSubscription.objects.create(
                user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:300]
            )
        else:  # the browser re-subscribed, possibly after another person used it
            subscription.user, subscription.p256dh, subscription.auth = user, p256dh, auth
            subscription.user_agent, subscription.is_active = user_agent[:300], True
            subscription.save()
        ChannelPreference.objects.update_or_create(
            user=user, channel=ChannelCode.PUSH, defaults={"enabled": True}
        )
        audit.record(
            actor=user,
            action="notifications.push_subscribed",
            target=subscription,
            after={"user": user.pk, "user_agent": subscription.user_agent},
        )
    return subscription


def remove_push_subscription(*, user: User, endpoint: str) -> bool:
    updated = PushSubscription.objects.filter(user=user, endpoint=endpoint, is_active=True).update(
        is_active=False
    )
    return bool(updated)
