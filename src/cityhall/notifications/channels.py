"""Delivery channels as data: each knows whether it is configured, how to reach a person, and how
to deliver one :class:`~cityhall.notifications.models.Message`.

A channel returns a :class:`Delivery` on success and raises :class:`TemporaryFailure` (try again
later: a server is down, a rate limit) or :class:`PermanentFailure` (retrying cannot help: the
address is refused, the subscription is gone). The worker in ``services`` turns these into
statuses, retries and the delivery log; a channel never changes a message itself.

SMS goes through a gateway class named by ``settings.SMS_GATEWAY``; the default
:class:`LogSmsGateway` only writes :class:`~cityhall.notifications.models.SmsLog` rows, so a fresh
installation "sends" SMS without a contract. :class:`HttpSmsGateway` is a template for a real one.
"""

from __future__ import annotations

import json
import logging
import smtplib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import ChannelCode, Message, PushSubscription, SmsLog

__all__ = [
    "CHANNELS",
    "Channel",
    "Delivery",
    "HttpSmsGateway",
    "LogSmsGateway",
    "PermanentFailure",
    "SmsGateway",
    "TemporaryFailure",
    "get_channel",
    "push_public_key",
    "sms_gateway",
]

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 30  # seconds; a hung server must not hold a worker (the claim lease is longer)


class TemporaryFailure(Exception):
    """Delivery failed, but a later try may succeed."""


class PermanentFailure(Exception):
    """Delivery failed and no retry can succeed."""


@dataclass(frozen=True)
class Delivery:
    status: str  # Message.Status.SENT or Message.Status.DELIVERED
    provider_id: str = ""


class Channel:
    code: str = ""
    label: Any = ""
    default_enabled: bool = False
    required: bool = False  # cannot be switched off (the cabinet)

    def is_configured(self) -> bool:
        return True

    def enabled_by_default(self, user) -> bool:
        """Whether the channel is on for a person who has not chosen (``default_enabled``)."""
        return self.default_enabled

    def can_reach(self, user) -> bool:
        """Whether the person could enable this channel at all (configured, has an address)."""
        return self.is_configured()

    def addresses_for(self, user) -> list[str]:
        """Where a message for ``user`` goes: one message per address."""
        raise NotImplementedError

    def deliver(self, message: Message) -> Delivery:
        raise NotImplementedError


# --- e-mail ----------------------------------------------------------------------------------


class EmailChannel(Channel):
    code = ChannelCode.EMAIL
    label = ChannelCode.EMAIL.label
    default_enabled = True

    def can_reach(self, user) -> bool:
        return bool(user.email)

    def addresses_for(self, user) -> list[str]:
        return [user.email] if user.email else []

    def deliver(self, message: Message) -> Delivery:
        headers = {"Auto-Submitted": "auto-generated", "X-Cityhall-Event": message.event}
        if message.unsubscribe_url:  # a subscription's mail: one-click unsubscribe, RFC 8058
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.address],
            headers=headers,
            connection=get_connection(timeout=SEND_TIMEOUT),
        )
        if message.body_html:
            email.attach_alternative(message.body_html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            text = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(text) from exc
            raise TemporaryFailure(text) from exc
        except (smtplib.SMTPException, OSError) as exc:  # connection refused, timeout, TLS
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        return Delivery(status=Message.Status.SENT)


# --- SMS -------------------------------------------------------------------------------------


class SmsGateway:
    """Sends one SMS; returns the provider's message id. Raises Temporary/PermanentFailure."""

    def send(self, *, phone: str, text: str, message: Message | None = None) -> str:
        raise NotImplementedError


class LogSmsGateway(SmsGateway):
    """Writes the SMS to :class:`SmsLog` instead of sending it (the default)."""

    def send(self, *, phone: str, text: str, message: Message | None = None) -> str:
        row = SmsLog.objects.create(phone=phone, text=text, message=message)
        logger.info("SMS to %s logged (log-only gateway): %s", phone, text)
        return f"log-{row.pk}"


class HttpSmsGateway(SmsGateway):
    """A JSON-over-HTTP SMS provider: ``POST settings.SMS_HTTP_URL`` with
    ``{"to", "text", "sender", "reference"}`` and ``Authorization: Bearer SMS_HTTP_TOKEN``;
    a 2xx answer carries ``{"id": ...}``. Adapt the payload to the provider's contract."""

    def send(self, *, phone: str, text: str, message: Message | None = None) -> str:
        url = getattr(settings, "SMS_HTTP_URL", "")
        if not url:
            raise PermanentFailure("SMS_HTTP_URL is not configured")
        try:
            response = requests.post(
                url,
                json={
                    "to": phone,
                    "text": text,
                    "sender": getattr(settings, "SMS_HTTP_SENDER", ""),
                    "reference": str(message.pk) if message is not None else "",
                },
                headers={"Authorization": f"Bearer {getattr(settings, 'SMS_HTTP_TOKEN', '')}"},
                timeout=SEND_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code in (408, 429) or response.status_code >= 500:
            raise TemporaryFailure(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code >= 400:
            raise PermanentFailure(f"HTTP {response.status_code}: {response.text[:200]}")
        try:
            return str(response.json().get("id", ""))
        except ValueError:
            return ""


@lru_cache(maxsize=8)
def _gateway_class(path: str) -> type[SmsGateway]:
    return import_string(path)


def sms_gateway() -> SmsGateway:
    """A fresh instance of the gateway named by ``settings.SMS_GATEWAY``."""
    return _gateway_class(settings.SMS_GATEWAY)()


class SmsChannel(Channel):
    code = ChannelCode.SMS
    label = ChannelCode.SMS.label
    default_enabled = False  # SMS costs the city money; residents opt in

    def enabled_by_default(self, user) -> bool:
        """Residents opt in to SMS, except a person who cannot sign in (registered by an
        operator from a paper form or a call): the cabinet is no use to them, so SMS is on
        until they choose otherwise."""
        from cityhall.accounts.selectors import can_sign_in

        return self.default_enabled or (bool(user.phone) and not can_sign_in(user))

    def can_reach(self, user) -> bool:
        return bool(user.phone)

    def addresses_for(self, user) -> list[str]:
        return [user.phone] if user.phone else []

    def deliver(self, message: Message) -> Delivery:
        provider_id = sms_gateway().send(phone=message.address, text=message.body, message=message)
        return Delivery(status=Message.Status.SENT, provider_id=provider_id or "")


# --- web push --------------------------------------------------------------------------------


def push_public_key() -> str:
    return settings.WEBPUSH_VAPID_PUBLIC_KEY if PushChannel().is_configured() else ""


_push_session = requests.Session()


class PushChannel(Channel):
    """Browser notifications through the Web Push protocol, signed with the VAPID key pair from
    ``settings.WEBPUSH_VAPID_PRIVATE_KEY`` / ``WEBPUSH_VAPID_PUBLIC_KEY`` (``cityhall
    generate_vapid_keys``). Without keys the channel does not exist for anyone."""

    code = ChannelCode.PUSH
    label = ChannelCode.PUSH.label
    default_enabled = True  # only matters once the person has subscribed a browser

    def is_configured(self) -> bool:
        return bool(settings.WEBPUSH_VAPID_PRIVATE_KEY and settings.WEBPUSH_VAPID_PUBLIC_KEY)

    def addresses_for(self, user) -> list[str]:
        return list(
            PushSubscription.objects.filter(user=user, is_active=True)
            .order_by("pk")
            .values_list("endpoint", flat=True)
        )

    def deliver(self, message: Message) -> Delivery:
        from pywebpush import WebPushException, webpush

        if not self.is_configured():
            raise TemporaryFailure("web push keys are not configured")
        subscription = PushSubscription.objects.filter(
            endpoint=message.address, is_active=True
        ).first()
        if subscription is None:
            raise PermanentFailure("the browser subscription was removed")
        payload = {
            "title": message.subject,
            "body": message.body,
            "url": message.url or reverse("notifications:list"),
            "tag": f"cityhall-{message.pk}",
        }
        try:
            response = webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=settings.WEBPUSH_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.WEBPUSH_VAPID_SUBJECT},
                ttl=24 * 3600,
                timeout=SEND_TIMEOUT,
                requests_session=_push_session,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                PushSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
                raise PermanentFailure(f"subscription expired (HTTP {status})") from exc
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                raise PermanentFailure(f"push service refused (HTTP {status})") from exc
            raise TemporaryFailure(f"push service: {exc}") from exc
        except (OSError, requests.RequestException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        provider_id = getattr(response, "headers", {}).get("Location", "") or ""
        return Delivery(status=Message.Status.SENT, provider_id=provider_id[:200])


# --- the personal cabinet --------------------------------------------------------------------


class CabinetChannel(Channel):
    """The message is shown in the person's cabinet: delivered at once, unread until opened."""

    code = ChannelCode.CABINET
    label = ChannelCode.CABINET.label
    default_enabled = True
    required = True

    def addresses_for(self, user) -> list[str]:
        return [""]

    def deliver(self, message: Message) -> Delivery:
        if message.recipient_id is None:
            raise PermanentFailure("a cabinet message needs a recipient")
        return Delivery(status=Message.Status.DELIVERED)


CHANNELS: dict[str, Channel] = {
    channel.code: channel
    for channel in (CabinetChannel(), EmailChannel(), SmsChannel(), PushChannel())
}


def get_channel(code: str) -> Channel:
    try:
        return CHANNELS[code]
    except KeyError:
        raise PermanentFailure(f"unknown channel {code!r}") from None


CHANNEL_HELP = {
    ChannelCode.CABINET: _("Always on: every notification is kept in your cabinet."),
    ChannelCode.EMAIL: _("Sent to your e-mail address."),
    ChannelCode.SMS: _("Short text messages to your phone."),
    ChannelCode.PUSH: _("Notifications in the browsers where you allowed them."),
}
