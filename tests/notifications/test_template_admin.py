"""Officials edit notification wording in the admin: each save is a new, audited version."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.core.models import AuditRecord
from cityhall.notifications import services
from cityhall.notifications.models import Message, NotificationTemplate
from tests.factories import UserFactory, sign_in_with_second_factor

from .factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(client):
    person = UserFactory(staff=True, is_staff=True, is_superuser=True)
    sign_in_with_second_factor(client, person)
    return person


def _form(template, **changes):
    data = {
        "event": template.event,
        "language": template.language,
        "subject": template.subject,
        "body": template.body,
        "short_text": template.short_text,
    }
    data.update(changes)
    return data


def test_saving_a_template_in_the_admin_creates_a_new_version(client, superuser):
    services.sync_templates()
    current = NotificationTemplate.objects.get(
        event="support_ticket.submitted", language="ru", is_active=True
    )
    url = reverse("admin:notifications_notificationtemplate_change", args=[current.pk])
    response = client.post(url, _form(current, subject="Обращение {{ number }} ждёт ответа"))
    assert response.status_code == 302
    active = NotificationTemplate.objects.get(
        event="support_ticket.submitted", language="ru", is_active=True
    )
    assert (active.version, active.source, active.changed_by) == (2, "edited", superuser)
    assert active.subject == "Обращение {{ number }} ждёт ответа"
    current.refresh_from_db()
    assert current.is_active is False and current.subject.startswith("Новое обращение")
    assert AuditRecord.objects.filter(action="notification_template.edited").count() == 1


def test_a_template_that_does_not_compile_is_refused_in_the_admin(client, superuser):
    services.sync_templates()
    current = NotificationTemplate.objects.get(
        event="support_ticket.submitted", language="en", is_active=True
    )
    url = reverse("admin:notifications_notificationtemplate_change", args=[current.pk])
    response = client.post(url, _form(current, body="{% if number %}unclosed"))
    assert response.status_code == 200
    assert "does not compile" in response.content.decode()
    assert NotificationTemplate.objects.filter(event="support_ticket.submitted").count() == 3


def test_admin_retry_action_requeues_failed_messages(
    client, superuser, django_capture_on_commit_callbacks
):
    failed = MessageFactory(perm_failed=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "retry_now", "_selected_action": [failed.pk]},
        )
    failed.refresh_from_db()
    assert failed.status == Message.Status.SENT
    assert AuditRecord.objects.filter(action="notification.retried").count() == 1
