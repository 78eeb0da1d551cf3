"""Factories for notifications: messages in each delivery state, push subscriptions."""

from __future__ import annotations

import base64
import datetime as dt
import os

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.utils import timezone
from factory.django import DjangoModelFactory

from cityhall.notifications.models import ChannelPreference, Message, PushSubscription
from tests.factories import UserFactory


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_keys() -> tuple[str, str]:
    """A browser's subscription keys as the Push API gives them (p256dh, auth)."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(public), b64url(os.urandom(16))


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    recipient = factory.SubFactory(UserFactory)
    channel = "email"
    address = factory.LazyAttribute(lambda o: o.recipient.email if o.recipient else "")
    event = "support_ticket.submitted"
    language = "en"
    subject = factory.Sequence(lambda n: f"Notification {n}")
    body = "Something happened."

    class Params:
        cabinet = factory.Trait(channel="cabinet", address="")
        perm_failed = factory.Trait(
            status=Message.Status.PERM_FAILED, attempts=6, last_error="SMTP 550: mailbox unknown"
        )
        temp_failed = factory.Trait(
            status=Message.Status.TEMP_FAILED,
            attempts=2,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
            next_attempt_at=factory.LazyFunction(lambda: timezone.now() + dt.timedelta(minutes=5)),
        )


class PushSubscriptionFactory(DjangoModelFactory):
    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.net/send/{n}")
    p256dh = factory.LazyFunction(lambda: browser_keys()[0])
    auth = factory.LazyFunction(lambda: b64url(os.urandom(16)))


class ChannelPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = ChannelPreference

    user = factory.SubFactory(UserFactory)
    channel = "sms"
    enabled = True
