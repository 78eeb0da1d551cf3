"""Notifications API (signed-in person): my messages, marking read, channel preferences and
browser push subscriptions. Thin: each handler calls one service or selector."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from cityhall.core.errors import NotFound
from cityhall.core.params import PageNumbers

from . import selectors, services

router = Router(tags=["notifications"])


class MessageOut(Schema):
    id: int
    event: str
    subject: str
    body: str
    url: str
    language: str
    created_at: datetime
    read_at: datetime | None
    is_unread: bool


class ChannelOut(Schema):
    code: str
    label: str
    available: bool
    enabled: bool
    required: bool


class PreferencesOut(Schema):
    channels: list[ChannelOut]


class PreferencesIn(Schema):
    channels: dict[str, bool]


class PushKeys(Schema):
    p256dh: str
    auth: str


class PushSubscriptionIn(Schema):
    endpoint: str
    keys: PushKeys
    user_agent: str = ""


class PushSubscriptionOut(Schema):
    id: int
    endpoint: str


class PushEndpointIn(Schema):
    endpoint: str


def _preferences(user) -> dict:
    return {
        "channels": [
            {
                "code": c.code,
                "label": str(c.label),
                "available": c.available,
                "enabled": c.enabled,
                "required": c.required,
            }
            for c in selectors.channel_choices(user)
        ]
    }


@router.get("/", response=list[MessageOut], summary="My notifications (cabinet), newest first")
@paginate(PageNumbers, page_size=20)
def my_messages(request):
    return selectors.inbox(request.user)


@router.post("/{int:message_id}/read", response=MessageOut, summary="Mark one notification read")
def read_message(request, message_id: int):
    return services.mark_read(user=request.user, message_id=message_id)


@router.get("/preferences", response=PreferencesOut, summary="My notification channels")
def get_preferences(request):
    return _preferences(request.user)


@router.put(
    "/preferences",
    response=PreferencesOut,
    summary="Switch channels on or off",
    description='Body: `{"channels": {"email": true, "sms": false}}`; channels not named keep '
    "their setting. The cabinet cannot be switched off.",
)
def put_preferences(request, payload: PreferencesIn):
    services.set_channel_preferences(user=request.user, enabled=payload.channels)
    return _preferences(request.user)


@router.post(
    "/push-subscriptions",
    response={201: PushSubscriptionOut},
    url_name="notifications_push_subscribe",
    summary="Register this browser for web push (the PushSubscription's JSON)",
)
def add_push_subscription(request, payload: PushSubscriptionIn):
    subscription = services.add_push_subscription(
        user=request.user,
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=payload.user_agent or request.headers.get("User-Agent", ""),
    )
    return Status(201, subscription)


@router.delete("/push-subscriptions", response={204: None}, summary="Stop web push to this browser")
def remove_push_subscription(request, payload: PushEndpointIn):
    if not services.remove_push_subscription(user=request.user, endpoint=payload.endpoint):
        raise NotFound()
    return Status(204, None)
