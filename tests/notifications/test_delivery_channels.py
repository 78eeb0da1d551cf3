"""Each channel delivers what notify() queued: e-mail, SMS (log-only gateway), cabinet, web push."""

from __future__ import annotations

import json
import smtplib

import pytest
from django.core import mail
from django.core.management import call_command

from cityhall.notifications import channels, services
from cityhall.notifications.models import DeliveryAttempt, Message, PushSubscription, SmsLog
from tests.factories import UserFactory

from .factories import ChannelPreferenceFactory, PushSubscriptionFactory, b64url

pytestmark = pytest.mark.django_db

CODE = {"code": "504231", "minutes": 10}


def test_email_is_sent_with_a_text_and_an_escaped_html_part(django_capture_on_commit_callbacks):
    person = UserFactory(preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person,
            event="support_ticket.submitted",
            context={"number": "TS-1", "topic": "<b>Map</b> & layers"},
            channels=["email"],
        )
    (email,) = mail.outbox
    assert email.to == [person.email]
    assert email.subject == "New support ticket TS-1"
    assert "Topic: <b>Map</b> & layers." in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "&lt;b&gt;Map&lt;/b&gt; &amp; layers" in html
    message = Message.objects.get()
    assert message.status == "sent" and message.sent_at is not None and message.attempts == 1
    assert DeliveryAttempt.objects.get(message=message).outcome == "sent"


def test_sms_goes_to_the_log_only_gateway_by_default(django_capture_on_commit_callbacks):
    person = UserFactory(phone="+79171112233", preferred_language="tt")
    ChannelPreferenceFactory(user=person, channel="sms")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["sms"]
        )
    log = SmsLog.objects.get()
    assert log.phone == "+79171112233"
    assert log.text == "Раслау коды: 504231. 10 минут гамәлдә. Беркемгә дә әйтмәгез."
    message = Message.objects.get()
    assert message.status == "sent"
    assert message.provider_id == f"log-{log.pk}"


def test_cabinet_message_is_delivered_and_unread(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=person, event="accounts.confirmation_code", context=CODE)
    cabinet = Message.objects.get(channel="cabinet")
    assert cabinet.status == "delivered" and cabinet.delivered_at is not None
    assert cabinet.read_at is None


def test_smtp_refusal_is_a_permanent_failure(django_capture_on_commit_callbacks, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"nobody@example.org": (550, b"mailbox unknown")})

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    person = UserFactory(email="nobody@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["email"]
        )
    message = Message.objects.get()
    assert message.status == "perm_failed" and message.attempts == 1
    assert "recipient refused" in message.last_error


def test_smtp_server_down_is_a_temporary_failure(django_capture_on_commit_callbacks, monkeypatch):
    def down(self, *args, **kwargs):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", down)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=UserFactory(),
            event="accounts.confirmation_code",
            context=CODE,
            channels=["email"],
        )
    message = Message.objects.get()
    assert message.status == "temp_failed"
    assert "Connection refused" in message.last_error


# --- web push --------------------------------------------------------------------------------


class FakeResponse:
    def __init__(self, status_code, headers=None):
        self.status_code = status_code
        self.headers = headers or {}
        self.text = ""
        self.reason = "Created" if status_code < 300 else "Gone"


class FakePushService:
    """Stands in for the browser vendor's push service: records what pywebpush POSTs."""

    def __init__(self, status_code=201):
        self.status_code = status_code
        self.requests = []

    def post(self, url, timeout=None, data=None, headers=None):
        self.requests.append({"url": url, "data": data, "headers": headers})
        return FakeResponse(self.status_code, {"Location": f"{url}/msg/1"})


@pytest.fixture
def vapid(settings, capsys):
    call_command("generate_vapid_keys")
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = lines["CITYHALL_VAPID_PRIVATE_KEY"]
    settings.WEBPUSH_VAPID_PUBLIC_KEY = lines["CITYHALL_VAPID_PUBLIC_KEY"]
    return lines


@pytest.fixture
def push_service(monkeypatch):
    service = FakePushService()
    monkeypatch.setattr(channels, "_push_session", service)
    return service


def test_push_is_unavailable_without_keys(settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    person = UserFactory()
    PushSubscriptionFactory(user=person)
    messages = services.notify(
        recipient=person, event="accounts.confirmation_code", context=CODE, channels=["push"]
    )
    assert messages == []


def test_push_goes_to_every_subscribed_browser_encrypted_and_signed(
    vapid, push_service, django_capture_on_commit_callbacks
):
    person = UserFactory(preferred_language="en")
    phone_browser = PushSubscriptionFactory(user=person)
    laptop_browser = PushSubscriptionFactory(user=person)
    PushSubscriptionFactory(user=person, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        messages = services.notify(
            recipient=person,
            event="accounts.confirmation_code",
            context={**CODE, "url": "/cabinet/"},
        )
    push = sorted(m.address for m in messages if m.channel == "push")
    assert push == sorted([phone_browser.endpoint, laptop_browser.endpoint])
    assert sorted(r["url"] for r in push_service.requests) == push
    request = push_service.requests[0]
    assert request["headers"]["content-encoding"] == "aes128gcm"
    assert request["headers"]["authorization"].startswith("vapid t=")
    assert vapid["CITYHALL_VAPID_PUBLIC_KEY"] in request["headers"]["authorization"]
    assert b"504231" not in request["data"]  # the payload is encrypted for the browser
    assert set(Message.objects.filter(channel="push").values_list("status", flat=True)) == {"sent"}


def test_push_payload_decrypts_to_title_body_and_link(
    vapid, push_service, django_capture_on_commit_callbacks
):
    """Decrypt with the browser's private key, as the browser would."""
    import http_ece
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = b"0123456789abcdef"
    person = UserFactory(preferred_language="en")
    PushSubscriptionFactory(
        user=person,
        p256dh=b64url(
            browser_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        ),
        auth=b64url(auth_secret),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person,
            event="accounts.confirmation_code",
            context={**CODE, "url": "/cabinet/"},
            channels=["push"],
        )
    payload = http_ece.decrypt(
        push_service.requests[0]["data"], private_key=browser_key, auth_secret=auth_secret
    )
    assert json.loads(payload)["title"] == "Your confirmation code: 504231"
    assert json.loads(payload)["body"].startswith("Confirmation code: 504231.")
    assert json.loads(payload)["url"] == "/cabinet/"


def test_expired_push_subscription_fails_permanently_and_is_switched_off(
    vapid, push_service, django_capture_on_commit_callbacks
):
    push_service.status_code = 410
    person = UserFactory()
    subscription = PushSubscriptionFactory(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["push"]
        )
    message = Message.objects.get()
    assert message.status == "perm_failed"
    assert "410" in message.last_error
    assert PushSubscription.objects.get(pk=subscription.pk).is_active is False


def test_overloaded_push_service_is_a_temporary_failure(
    vapid, push_service, django_capture_on_commit_callbacks
):
    push_service.status_code = 503
    person = UserFactory()
    PushSubscriptionFactory(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["push"]
        )
    assert Message.objects.get().status == "temp_failed"
