"""Pages: my notifications, opening one, channel settings, the cabinet section, and the
administrators' delivery-problems page with its retry action."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cityhall.core.models import AuditRecord
from cityhall.notifications.models import ChannelPreference, Message
from tests.factories import MembershipFactory, UserFactory, sign_in_with_second_factor

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(client):
    person = UserFactory(phone="+79171234567")
    client.force_login(person)
    return person


@pytest.fixture
def administrator(client):
    person = MembershipFactory(role="administrator").user
    sign_in_with_second_factor(client, person)
    return person


def test_pages_need_sign_in(client):
    for name in ("notifications:list", "notifications:preferences", "notifications:problems"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_my_notifications_list_marks_unread_and_paginates(client, resident):
    for n in range(25):
        MessageFactory(recipient=resident, cabinet=True, subject=f"Ответ по заявке {n}")
    MessageFactory(recipient=resident, subject="An e-mail copy")  # not a cabinet message
    MessageFactory(cabinet=True, subject="Someone else's")
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "25 unread notifications." in text
    assert "Ответ по заявке 24" in text and "Ответ по заявке 5" in text
    assert "Ответ по заявке 4" not in text  # on page 2
    assert "An e-mail copy" not in text and "Someone else" not in text
    page2 = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert "Ответ по заявке 0" in page2


def test_opening_a_notification_marks_it_read(client, resident):
    message = MessageFactory(recipient=resident, cabinet=True, body="Line one\nLine <two>")
    response = client.get(reverse("notifications:detail", args=[message.pk]))
    assert response.status_code == 200
    assert "Line <two>" not in response.content.decode()  # escaped
    assert "Line &lt;two&gt;" in response.content.decode()
    message.refresh_from_db()
    assert message.read_at is not None


def test_mark_read_and_mark_all_read(client, resident):
    first, second, third = (MessageFactory(recipient=resident, cabinet=True) for _ in range(3))
    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    assert Message.objects.filter(read_at__isnull=True).count() == 2
    client.post(reverse("notifications:mark_all_read"))
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_someone_elses_notification_is_not_found(client, resident):
    other = MessageFactory(cabinet=True)
    assert client.get(reverse("notifications:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_cabinet_shows_the_latest_five_with_unread_marked(client, resident):
    for n in range(6):
        MessageFactory(recipient=resident, cabinet=True, subject=f"Уведомление {n}")
    Message.objects.filter(subject="Уведомление 5").update(read_at="2026-01-01T00:00:00Z")
    text = client.get(reverse("portal:cabinet")).content.decode()
    assert "Уведомление 5" in text and "Уведомление 1" in text
    assert "Уведомление 0" not in text
    assert text.count("Unread") == 4
    assert reverse("notifications:list") in text


def test_preferences_page_shows_only_available_channels(client, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    person = UserFactory(phone=None)
    client.force_login(person)
    response = client.get(reverse("notifications:preferences"))
    text = response.content.decode()
    assert 'name="email"' in text
    assert 'name="sms"' not in text  # no phone number
    assert "add a phone number" in text
    assert 'name="push"' not in text  # no keys on the server
    assert "Browser notifications" not in text


def test_preferences_form_saves_choices(client, resident):
    response = client.post(reverse("notifications:preferences"), {"sms": "on"})
    assert response.status_code == 302
    prefs = dict(ChannelPreference.objects.filter(user=resident).values_list("channel", "enabled"))
    assert prefs == {"email": False, "sms": True}
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Your notification settings are saved." in page
    assert AuditRecord.objects.filter(action="notifications.preferences_changed").exists()


def test_preferences_page_offers_push_when_configured(client, resident, settings):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "private"
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "BPublicKey"
    text = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="push"' in text
    assert 'data-vapid-key="BPublicKey"' in text
    assert "/api/v1/notifications/push-subscriptions" in text
    assert "notifications/push.js" in text


def test_service_worker_is_served_by_the_app(client):
    response = client.get("/static/notifications/service-worker.js")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"showNotification" in body


def test_delivery_problems_is_forbidden_for_others(client, resident):
    MessageFactory(perm_failed=True)
    assert client.get(reverse("notifications:problems")).status_code == 403
    message = Message.objects.get()
    response = client.post(reverse("notifications:retry", args=[message.pk]))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "perm_failed"


def test_delivery_problems_is_forbidden_for_other_staff(client):
    client.force_login(MembershipFactory(role="operator").user)
    assert client.get(reverse("notifications:problems")).status_code == 403


def test_administrator_sees_failures_with_their_errors(client, administrator):
    MessageFactory(perm_failed=True, address="wrong@example.org")
    MessageFactory(temp_failed=True, address="later@example.org")
    MessageFactory(address="fine@example.org", status="sent")
    response = client.get(reverse("notifications:problems"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "wrong@example.org" in text and "SMTP 550: mailbox unknown" in text
    assert "later@example.org" in text and "Connection refused" in text
    assert "fine@example.org" not in text
    only_permanent = client.get(reverse("notifications:problems"), {"status": "perm_failed"})
    assert "later@example.org" not in only_permanent.content.decode()


def test_administrator_retries_a_failed_message(
    client, administrator, django_capture_on_commit_callbacks
):
    message = MessageFactory(perm_failed=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.attempts == 7  # one more try after the six that failed
    assert len(mail.outbox) == 1
    record = AuditRecord.objects.get(action="notification.retried")
    assert record.actor_id == administrator.pk
    assert record.before["status"] == "perm_failed" and record.after["status"] == "queued"


def test_retrying_a_sent_message_is_refused(client, administrator):
    message = MessageFactory(status="sent")
    response = client.post(reverse("notifications:retry", args=[message.pk]), follow=True)
    assert "not waiting for a retry" in response.content.decode()
    assert not AuditRecord.objects.filter(action="notification.retried").exists()


def test_workspace_lists_the_desk_for_administrators_only(client, administrator):
    assert (
        reverse("notifications:problems")
        in client.get(reverse("portal:workspace")).content.decode()
    )
    client.force_login(MembershipFactory(role="operator").user)
    page = client.get(reverse("portal:workspace")).content.decode()
    assert reverse("notifications:problems") not in page
