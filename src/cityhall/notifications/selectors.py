"""Read queries of notifications, shared by pages, the API and the cabinet section."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from .channels import CHANNEL_HELP, CHANNELS
from .models import ChannelCode, ChannelPreference, Message, PushSubscription

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "ChannelChoice",
    "channel_choices",
    "delivery_problems",
    "inbox",
    "inbox_message",
    "unread_count",
]


def inbox(user: User) -> QuerySet[Message]:
    """The person's notifications as shown in the cabinet, newest first."""
    return Message.objects.filter(recipient=user, channel=ChannelCode.CABINET).order_by(
        "-created_at", "-pk"
    )


def inbox_message(user: User, message_id: int) -> Message | None:
    return inbox(user).filter(pk=message_id).first()


def unread_count(user: User) -> int:
    return inbox(user).filter(read_at__isnull=True).count()


@dataclass(frozen=True)
class ChannelChoice:
    code: str
    label: Any
    help: Any
    available: bool
    enabled: bool
    required: bool


def channel_choices(user: User) -> list[ChannelChoice]:
    """Every channel with whether the person can use it and whether it is on for them.
    A channel that is not configured on this server (push without keys) is left out."""
    prefs = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
    choices = []
    for channel in CHANNELS.values():
        if not channel.is_configured():
            continue
        available = channel.can_reach(user)
        enabled = channel.required or (
            available and prefs.get(channel.code, channel.enabled_by_default(user))
        )
        choices.append(
            ChannelChoice(
                code=channel.code,
                label=channel.label,
                help=CHANNEL_HELP.get(channel.code, ""),
                available=available,
                enabled=bool(enabled),
                required=channel.required,
            )
        )
    return choices


def push_device_count(user: User) -> int:
    return PushSubscription.objects.filter(user=user, is_active=True).count()


def delivery_problems(status: str | None = None) -> QuerySet[Message]:
    """Messages that failed (temporarily or for good), newest first, for administrators."""
    statuses = [status] if status in Message.PROBLEMS else list(Message.PROBLEMS)
    return (
        Message.objects.filter(status__in=statuses)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )
