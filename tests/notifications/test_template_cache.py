"""The active templates are kept in process memory: an official's edit still takes effect on
the next message, an edit made by another process within the recheck interval, and a rolled
back edit is never served. Only what the channels carry is rendered."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cityhall.notifications import services
from cityhall.notifications.models import Message, NotificationTemplate
from cityhall.notifications.rendering import render_notification
from tests.factories import UserFactory, sign_in_with_second_factor

EVENT = "support_ticket.submitted"
CONTEXT = {"number": "T-7", "topic": "map"}


def _template_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "notifications_notificationtemplate" in q["sql"]]


def _active(language: str = "ru") -> NotificationTemplate:
    return NotificationTemplate.objects.get(event=EVENT, language=language, is_active=True)


@pytest.mark.django_db(transaction=True)
def test_an_official_edit_in_the_admin_takes_effect_on_the_next_message(client):
    services.sync_templates()
    services.notify_address(email="a@example.org", event=EVENT, context=CONTEXT)
    with CaptureQueriesContext(connection) as queries:
        first = services.notify_address(email="b@example.org", event=EVENT, context=CONTEXT)
    assert _template_queries(queries) == []  # served from memory
    assert first[0].subject == "Новое обращение в техподдержку T-7"

    official = UserFactory(staff=True, is_staff=True, is_superuser=True)
    sign_in_with_second_factor(client, official)
    current = _active()
    response = client.post(
        reverse("admin:notifications_notificationtemplate_change", args=[current.pk]),
        {
            "event": EVENT,
            "language": "ru",
            "subject": "Обращение {{ number }} ждёт ответа",
            "body": current.body,
            "short_text": current.short_text,
        },
    )
    assert response.status_code == 302

    (after,) = services.notify_address(email="c@example.org", event=EVENT, context=CONTEXT)
    stored = Message.objects.get(pk=after.pk)
    assert (stored.subject, stored.template_version) == ("Обращение T-7 ждёт ответа", 2)


@pytest.mark.django_db(transaction=True)
def test_an_edit_by_another_process_is_noticed_after_the_recheck_interval(settings):
    services.sync_templates()
    settings.NOTIFICATIONS_TEMPLATE_RECHECK_SECONDS = 60
    assert render_notification(EVENT, "en", CONTEXT).subject.startswith("New support ticket")
    # Another process's edit: no signal reaches this one, only the table changes.
    NotificationTemplate.objects.filter(pk=_active("en").pk).update(
        subject="Ticket {{ number }} is waiting", updated_at=timezone.now()
    )
    assert render_notification(EVENT, "en", CONTEXT).subject.startswith("New support ticket")
    settings.NOTIFICATIONS_TEMPLATE_RECHECK_SECONDS = 0
    assert render_notification(EVENT, "en", CONTEXT).subject == "Ticket T-7 is waiting"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_edit_is_never_served():
    services.sync_templates()
    official = UserFactory(staff=True)
    assert render_notification(EVENT, "en", CONTEXT).subject.startswith("New support ticket")

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        services.save_template(
            actor=official, event=EVENT, language="en", subject="Draft {{ number }}", body="x"
        )
        # Inside the editing transaction its own change is what it sees.
        assert render_notification(EVENT, "en", CONTEXT).subject == "Draft T-7"
        raise Undo()

    rendered = render_notification(EVENT, "en", CONTEXT)
    assert rendered.subject.startswith("New support ticket")
    assert rendered.template_version == 1


@pytest.mark.django_db
def test_only_the_parts_the_channels_carry_are_rendered():
    (sms,) = services.notify_address(phone="+79001234567", event=EVENT, context=CONTEXT)
    assert sms.channel == "sms"
    assert sms.body == "Новое обращение в техподдержку T-7: map."
    assert sms.subject == "Новое обращение в техподдержку T-7"
    assert sms.body_html == ""

    (email,) = services.notify_address(email="a@example.org", event=EVENT, context=CONTEXT)
    assert email.body.startswith("Через форму обратной связи поступило обращение T-7.")
    assert '<html lang="ru">' in email.body_html and "Тема: map." in email.body_html

    cabinet_only = render_notification(EVENT, "tt", CONTEXT, parts={"body"})
    assert cabinet_only.body and cabinet_only.subject
    assert (cabinet_only.body_html, cabinet_only.short_text) == ("", "")


@pytest.mark.django_db
def test_each_recipient_gets_their_own_language_from_the_cache():
    services.sync_templates()
    en = render_notification(EVENT, "en", CONTEXT)
    ru = render_notification(EVENT, "ru", CONTEXT)
    assert en.subject.startswith("New support ticket") and en.language == "en"
    assert ru.subject.startswith("Новое обращение") and ru.language == "ru"
