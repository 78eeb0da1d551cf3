"""E-mail subscriptions by district and topic; announcements and reminders before deadlines,
each sent once by the periodic jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityhall.discussions import services, tasks
from cityhall.discussions.models import Discussion, Status, Subscription
from tests.core.hostile_files import minimal_pdf

from .factories import (
    NOTICE_SOURCE,
    DiscussionFactory,
    DocumentTypeFactory,
    confirm_subscriptions,
)

pytestmark = pytest.mark.django_db


def test_subscribe_announce_and_unsubscribe(
    client, city, council, organiser, django_capture_on_commit_callbacks
):
    client.post("/discussions/subscribe/", {"email": "west@example.org", "district": city.west.pk})
    client.post("/discussions/subscribe/", {"email": "east@example.org", "district": city.east.pk})
    topic = DocumentTypeFactory(code="special_permit", name="Special permit")
    client.post(
        "/discussions/subscribe/", {"email": "topic@example.org", "document_type": topic.pk}
    )
    assert Subscription.objects.count() == 3
    confirm_subscriptions()
    draft = DiscussionFactory(
        organiser=council, districts=[city.west], status=Status.DRAFT, document_type=topic
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.transition(
            discussion=draft, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["topic@example.org", "west@example.org"]
    sub = Subscription.objects.get(email="west@example.org")
    message = next(m for m in mail.outbox if m.to == ["west@example.org"])
    stop = services.subscription_link(sub, "unsubscribe")
    assert stop in message.body
    local_start = timezone.localtime(draft.exposition_start).strftime("%d.%m.%Y %H:%M")
    assert local_start in message.body
    client.post(stop)
    sub.refresh_from_db()
    assert sub.is_active is False


def test_reminder_before_deadline_sent_once(city, council, django_capture_on_commit_callbacks):
    services.subscribe(email="r@example.org", district=city.west)
    confirm_subscriptions()
    soon = DiscussionFactory(organiser=council, districts=[city.west])
    Discussion.objects.filter(pk=soon.pk).update(
        proposal_deadline=timezone.now() + dt.timedelta(hours=20)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_before_deadlines.call_local()
        tasks.remind_before_deadlines.call_local()
    assert [m.to for m in mail.outbox] == [["r@example.org"]]


def test_reminder_before_deadline_to_an_address_subscription(
    city, council, west_home, django_capture_on_commit_callbacks
):
    from tests.geo.factories import box

    services.subscribe(email="home@example.org", address=west_home.address)
    services.subscribe(email="far@example.org", address="", lat=55.84, lon=49.01)
    confirm_subscriptions()
    near = DiscussionFactory(organiser=council, territory=box(49.04, 55.77, 49.06, 55.79))
    Discussion.objects.filter(pk=near.pk).update(
        proposal_deadline=timezone.now() + dt.timedelta(hours=20)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.remind_before_deadlines.call_local()
        tasks.remind_before_deadlines.call_local()
    assert [m.to for m in mail.outbox] == [["home@example.org"]]


def test_invalid_email_refused(client):
    response = client.post("/discussions/subscribe/", {"email": "not-an-email"})
    assert response.status_code == 200 and Subscription.objects.count() == 0


def test_document_upload_through_the_page(client, discussion, organiser):
    client.force_login(organiser)
    client.post(
        f"/discussions/manage/{discussion.pk}/documents/",
        {"kind": "project", "title": "Проект", "file": SimpleUploadedFile("p.pdf", minimal_pdf())},
    )
    assert discussion.documents.get().versions.count() == 1
