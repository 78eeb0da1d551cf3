"""API: my messages, mark read, channel preferences, push subscriptions."""

from __future__ import annotations

import pytest

from cityhall.notifications import services
from cityhall.notifications.models import ChannelPreference, Message, PushSubscription
from tests.factories import UserFactory

from .factories import MessageFactory, browser_keys

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications"


@pytest.fixture
def resident(client):
    person = UserFactory(phone=None)
    client.force_login(person)
    return person


def test_anonymous_gets_401(client):
    assert client.get(f"{BASE}/").status_code == 401
    assert client.get(f"{BASE}/preferences").status_code == 401


def test_my_messages_are_paginated_newest_first(client, resident):
    for n in range(22):
        MessageFactory(recipient=resident, cabinet=True, subject=f"N{n}")
    MessageFactory(cabinet=True, subject="not mine")
    data = client.get(f"{BASE}/").json()
    assert data["count"] == 22
    assert len(data["items"]) == 20
    assert data["items"][0]["subject"] == "N21"
    assert data["items"][0]["is_unread"] is True
    assert client.get(f"{BASE}/", {"page": 2}).json()["items"][-1]["subject"] == "N0"


def test_mark_read(client, resident):
    message = MessageFactory(recipient=resident, cabinet=True)
    response = client.post(f"{BASE}/{message.pk}/read")
    assert response.status_code == 200
    assert response.json()["is_unread"] is False
    message.refresh_from_db()
    assert message.read_at is not None
    other = MessageFactory(cabinet=True)
    response = client.post(f"{BASE}/{other.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_get_and_put_preferences(client, resident, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    data = client.get(f"{BASE}/preferences").json()
    channels = {c["code"]: c for c in data["channels"]}
    assert set(channels) == {"cabinet", "email", "sms"}
    assert channels["cabinet"]["required"] and channels["cabinet"]["enabled"]
    assert channels["email"]["enabled"] and channels["email"]["available"]
    assert not channels["sms"]["available"]  # no phone

    response = client.put(
        f"{BASE}/preferences", {"channels": {"email": False}}, content_type="application/json"
    )
    assert response.status_code == 200
    channels = {c["code"]: c for c in response.json()["channels"]}
    assert channels["email"]["enabled"] is False
    assert ChannelPreference.objects.get(user=resident, channel="email").enabled is False


def test_put_preferences_refuses_what_is_impossible(client, resident):
    response = client.put(
        f"{BASE}/preferences",
        {"channels": {"sms": True, "cabinet": False, "fax": True}},
        content_type="application/json",
    )
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"sms", "cabinet", "fax"}
    assert not ChannelPreference.objects.exists()


def test_push_subscription_needs_server_keys(client, resident, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    p256dh, auth = browser_keys()
    response = client.post(
        f"{BASE}/push-subscriptions",
        {"endpoint": "https://push.example.net/x", "keys": {"p256dh": p256dh, "auth": auth}},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "no_push"


def test_push_subscription_is_stored_and_enables_push(client, resident, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "private"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "public"
    p256dh, auth = browser_keys()
    payload = {"endpoint": "https://push.example.net/abc", "keys": {"p256dh": p256dh, "auth": auth}}
    response = client.post(f"{BASE}/push-subscriptions", payload, content_type="application/json")
    assert response.status_code == 201
    subscription = PushSubscription.objects.get()
    assert (subscription.user, subscription.p256dh) == (resident, p256dh)
    assert ChannelPreference.objects.get(user=resident, channel="push").enabled
    # the same browser again: one row
    client.post(f"{BASE}/push-subscriptions", payload, content_type="application/json")
    assert PushSubscription.objects.count() == 1

    messages = services.notify(
        recipient=resident,
        event="accounts.confirmation_code",
        context={"code": "1", "minutes": 1},
        channels=["push"],
    )
    assert [m.address for m in messages] == ["https://push.example.net/abc"]

    response = client.delete(
        f"{BASE}/push-subscriptions",
        {"endpoint": "https://push.example.net/abc"},
        content_type="application/json",
    )
    assert response.status_code == 204
    assert PushSubscription.objects.get().is_active is False


def test_push_subscription_must_be_https(client, resident, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "private"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "public"
    response = client.post(
        f"{BASE}/push-subscriptions",
        {"endpoint": "http://evil.example/x", "keys": {"p256dh": "a", "auth": "b"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "endpoint" in response.json()["fields"]
    assert not Message.objects.exists()
