"""Overdue warnings reach a person (issue 16.4): the organisation's head and dispatchers, else
the committee's dispatchers; a warning nobody could receive is shown on the dispatcher board;
the resident sees on the request page that a stage is overdue."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cityhall.accounts.models import Membership
from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import Escalation, ServiceRequest, Stage
from tests.factories import MembershipFactory

from .factories import submit

OVERDUE = "service_requests.overdue"


def _make_late(*requests) -> None:
    Stage.objects.filter(request__in=requests).update(due_at=timezone.now() - dt.timedelta(hours=1))
    ServiceRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        stage_due_at=timezone.now() - dt.timedelta(hours=1)
    )


def test_head_and_organisation_dispatchers_are_both_told(world, django_capture_on_commit_callbacks):
    own_dispatcher = MembershipFactory(organisation=world.manager, role="dispatcher").user
    _make_late(submit(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    told = set(Message.objects.filter(event=OVERDUE).values_list("recipient_id", flat=True))
    assert told == {world.manager.head_id, own_dispatcher.pk}
    notice = Message.objects.filter(recipient=own_dispatcher, event=OVERDUE).first()
    assert notice.url == reverse("service_requests:queue") + "?overdue=1"


def test_an_organisation_with_nobody_to_tell_falls_to_the_committee_dispatchers(
    world, django_capture_on_commit_callbacks
):
    # As in the demo: managing organisations with executors only, no head, no dispatcher.
    world.manager.head = None
    world.manager.save(update_fields=["head"])
    _make_late(submit(world), submit(world))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    told = set(Message.objects.filter(event=OVERDUE).values_list("recipient_id", flat=True))
    assert told == {world.dispatcher.pk, world.second_dispatcher.pk}
    notice = Message.objects.filter(recipient=world.dispatcher, event=OVERDUE).first()
    assert "UK Baumana" in notice.subject and "2" in notice.subject
    # The committee's people open their board on that organisation's overdue requests.
    assert notice.url == (
        reverse("service_requests:board") + f"?overdue=1&organisation={world.manager.pk}"
    )
    assert not Escalation.objects.filter(unreached=True).exists()


def test_a_warning_nobody_can_receive_is_shown_on_the_dispatcher_board(
    client, world, django_capture_on_commit_callbacks
):
    world.manager.head = None
    world.manager.save(update_fields=["head"])
    Membership.objects.filter(organisation=world.committee, role="dispatcher").delete()
    late = submit(world)
    _make_late(late)
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    assert not Message.objects.filter(event=OVERDUE).exists()
    escalation = Escalation.objects.get()
    assert escalation.notified_at is not None and escalation.unreached

    newcomer = MembershipFactory(organisation=world.committee, role="dispatcher").user
    client.force_login(newcomer)
    body = client.get(reverse("service_requests:board")).content.decode()
    assert "Overdue warnings reached nobody" in body
    assert "UK Baumana: 1 request (escalation level 1)" in body

    # Once the stage is over the warning leaves the board.
    services.transition(request=late, actor=world.executor, to="accepted")
    body = client.get(reverse("service_requests:board")).content.decode()
    assert "Overdue warnings reached nobody" not in body


def test_the_request_page_says_a_stage_is_overdue(client, world):
    late, on_time = submit(world), submit(world)
    _make_late(late)
    body = client.get(reverse("service_requests:detail", args=[late.pk])).content.decode()
    assert "has run over its time limit" in body and "badge-overdue" in body
    body = client.get(reverse("service_requests:detail", args=[on_time.pk])).content.decode()
    assert "has run over its time limit" not in body
