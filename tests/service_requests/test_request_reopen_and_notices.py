"""Reopening and what people are told (issue 16, item 6): the executor hears of a reopen, a
reopen without a reason answers 422, a confirmed request may come back within the configured
period, the merge notice names both requests, escalation counts use plural forms."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import Stage, Status

from .factories import submit


def _done(world):
    request = submit(world)
    for to in ("accepted", "in_work"):
        services.transition(request=request, actor=world.executor, to=to)
    return services.transition(request=request, actor=world.executor, to="done", report="Fixed")


def test_reopening_tells_the_executor_and_needs_a_reason(client, world):
    request = _done(world)
    client.force_login(world.resident)
    url = reverse("service_requests:resident_action", args=[request.public_token])
    refused = client.post(url, {"action": "reopen", "version": request.version, "reason": " "})
    assert refused.status_code == 422
    assert "Give the reason." in refused.content.decode()
    request.refresh_from_db()
    assert request.status == Status.DONE
    reopened = client.post(
        url, {"action": "reopen", "version": request.version, "reason": "Still drips"}
    )
    assert reopened.status_code == 302
    notice = Message.objects.get(
        recipient=world.executor, event="service_requests.reopened", channel="cabinet"
    )
    assert request.number in notice.subject and "Still drips" in notice.body


def test_a_confirmed_request_can_be_reopened_within_the_configured_period(client, world, settings):
    settings.REQUESTS_REOPEN_CONFIRMED_DAYS = 30
    request = _done(world)
    client.force_login(world.resident)
    url = reverse("service_requests:resident_action", args=[request.public_token])
    client.post(url, {"action": "confirm", "version": request.version})
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    page = client.get(reverse("service_requests:track", args=[request.public_token]))
    assert "Has the problem come back?" in page.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        late = client.post(url, {"action": "reopen", "version": request.version, "reason": "Again"})
        assert late.status_code == 422
        assert "cannot be reopened" in late.content.decode()
        assert "Has the problem come back?" not in late.content.decode()
    with time_machine.travel(timezone.now() + dt.timedelta(days=29)):
        back = client.post(url, {"action": "reopen", "version": request.version, "reason": "Again"})
    assert back.status_code == 302
    request.refresh_from_db()
    assert request.status == Status.IN_WORK and request.reopen_count == 1


def test_the_merge_notice_to_the_parents_author_names_both_requests(client, world):
    from tests.factories import UserFactory

    parent = submit(world)
    child = submit(world, author=UserFactory())
    client.force_login(world.dispatcher)
    client.post(
        reverse("service_requests:staff_action", args=[child.pk]),
        {"action": "merge", "parent": parent.pk, "version": child.version},
    )
    for recipient in (world.resident, child.author):
        notice = Message.objects.get(
            recipient=recipient, event="service_requests.merged", channel="cabinet"
        )
        assert child.number in notice.subject and parent.number in notice.subject


def test_escalation_counts_use_the_plural_forms_of_the_recipients_language(
    world, django_capture_on_commit_callbacks
):
    head = world.manager.head
    head.preferred_language = "ru"
    head.save(update_fields=["preferred_language"])
    late = submit(world)
    Stage.objects.filter(request=late).update(due_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    body = Message.objects.get(recipient=head, channel="cabinet").body
    assert "1 заявка" in body and "заявок" not in body
    more = [submit(world) for _ in range(5)]
    Stage.objects.filter(request__in=more).update(due_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    latest = Message.objects.filter(recipient=head, channel="cabinet").latest("pk").body
    assert "5 заявок" in latest
