"""Issue 16 item 24: every message is written wholly in its recipient's language, whoever
caused it. Staff act in English here, the people told read Russian or Tatar: the status label,
the category and the topic inside the message must be in the reader's language too."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from cityhall.municipal_services import services as municipal
from cityhall.municipal_services.models import Application
from cityhall.notifications.models import Message
from cityhall.portal.models import SupportTicket
from cityhall.service_requests.models import Status
from tests.factories import MembershipFactory, UserFactory
from tests.municipal_services.factories import (
    Department,
    published_service,
    submitted_application,
)
from tests.service_requests.factories import make_world, submit


def worded(language: str, label) -> str:
    with translation.override(language):
        return str(label)


@pytest.fixture
def world(db):
    return make_world()


@pytest.mark.parametrize("reader", ["ru", "tt"])
def test_status_notice_is_in_the_residents_language_when_an_english_dispatcher_acts(
    client, world, settings, reader
):
    settings.STAFF_REQUIRE_OTP = False
    world.resident.preferred_language = reader
    world.resident.save(update_fields=["preferred_language"])
    request = submit(world, building=world.orphan_building)
    client.force_login(world.dispatcher)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"to": "routed", "organisation": world.manager.pk, "version": request.version},
    )
    assert response.status_code == 302
    message = Message.objects.filter(
        recipient=world.resident, event="service_requests.status_changed"
    ).latest("pk")
    assert message.language == reader
    label = worded(reader, Status.ROUTED.label)
    assert label != "Routed"  # the catalogue has the word, so the check can fail
    assert label in message.subject and "Routed" not in message.subject
    assert label in message.body


def test_received_notice_names_the_category_in_the_readers_language(world):
    world.resident.preferred_language = "en"
    world.resident.save(update_fields=["preferred_language"])
    with translation.override("ru"):  # submitted from a Russian page
        request = submit(world)
    message = Message.objects.filter(
        recipient=world.resident, event="service_requests.received"
    ).latest("pk")
    assert message.language == "en"
    assert request.category.name_en in message.body
    assert request.category.name_ru not in message.body


def test_support_ticket_topic_is_in_each_administrators_language(client, db):
    ru_admin = MembershipFactory(role="administrator").user
    en_admin = MembershipFactory(role="administrator").user
    for person, language in ((ru_admin, "ru"), (en_admin, "en")):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    client.cookies["django_language"] = "tt"
    client.post(
        reverse("portal:feedback"),
        {
            "name": "Резеда",
            "email": "rezeda@example.org",
            "topic": SupportTicket.Topic.values[0],
            "message": "Бит ачылмый",
        },
    )
    topic = SupportTicket.Topic(SupportTicket.Topic.values[0]).label
    for person, language in ((ru_admin, "ru"), (en_admin, "en")):
        message = Message.objects.filter(recipient=person, event="support_ticket.submitted").latest(
            "pk"
        )
        assert worded(language, topic) in message.body
        assert message.language == language


def test_application_status_notice_is_in_the_applicants_language_when_staff_act_in_english(
    db,
):
    dept = Department()
    applicant = UserFactory(preferred_language="ru")
    with translation.override("ru"):
        application = submitted_application(published_service(dept), applicant=applicant)
    assert application.language == "ru"
    with translation.override("en"):  # the operator's page is in English
        municipal.accept_application(application=application, actor=dept.operator)
    message = Message.objects.filter(
        recipient=applicant, event="municipal_services.status_changed"
    ).latest("pk")
    status = Application.Status(Application.objects.get(pk=application.pk).status).label
    assert message.language == "ru"
    assert worded("ru", status) in message.body
    assert worded("en", status) not in message.body
