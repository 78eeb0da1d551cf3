"""The overdue sweep: set-based marking and escalation, one notice per organisation."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cityhall.notifications.models import Message
from cityhall.service_requests import services, tasks
from cityhall.service_requests.models import Escalation, ServiceRequest, Stage

from .factories import submit


def test_sweep_marks_overdue_and_escalates_twice(world, django_capture_on_commit_callbacks):
    late = [submit(world) for _ in range(3)]
    fresh = submit(world)
    Stage.objects.filter(request__in=late).update(due_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.sweep_overdue()
    assert counts["level1"] == 3 and counts["level2"] == 0
    assert set(Escalation.objects.values_list("request_id", flat=True)) == {r.pk for r in late}
    assert fresh.pk not in set(Escalation.objects.values_list("request_id", flat=True))
    head_notices = Message.objects.filter(
        recipient=world.manager.head, event="service_requests.overdue"
    )
    assert head_notices.filter(channel="cabinet").count() == 1  # one notice for three requests
    assert "3" in head_notices.first().subject
    assert not Escalation.objects.filter(notified_at__isnull=True).exists()

    # Running again finds nothing new.
    assert services.sweep_overdue() == {"level1": 0, "level2": 0}

    # A day later the committee is told.
    later = timezone.now() + services.ESCALATE_TO_COMMITTEE_AFTER + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.sweep_overdue(now=later)
    assert counts["level2"] == 3
    assert Message.objects.filter(
        recipient=world.dispatcher, event="service_requests.overdue"
    ).exists()
    assert Escalation.objects.filter(level=2).count() == 3
    assert services.sweep_overdue(now=later) == {"level1": 0, "level2": 0}


def test_finished_stages_are_not_swept(world):
    request = submit(world)
    Stage.objects.filter(request=request).update(due_at=timezone.now() - dt.timedelta(hours=1))
    services.transition(request=request, actor=world.executor, to="accepted")
    counts = services.sweep_overdue()
    assert counts["level1"] == 0


def test_periodic_task_runs_the_sweep(world):
    request = submit(world)
    Stage.objects.filter(request=request).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    result = tasks.sweep_overdue_task.call_local()
    assert result["level1"] == 1
    assert Escalation.objects.get().request_id == request.pk


def test_leaving_a_stage_late_marks_the_request_for_good(world):
    late, on_time = submit(world), submit(world)
    ServiceRequest.objects.filter(pk=late.pk).update(
        stage_due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    for request in (late, on_time):
        services.transition(request=request, actor=world.executor, to="accepted")
        services.transition(request=request, actor=world.executor, to="done", report="ok")
    assert ServiceRequest.objects.get(pk=late.pk).is_overdue
    assert not ServiceRequest.objects.get(pk=on_time.pk).is_overdue


def test_overdue_filter_in_the_queue(client, world):
    request = submit(world)
    ServiceRequest.objects.filter(pk=request.pk).update(
        stage_due_at=timezone.now() - dt.timedelta(hours=2)
    )
    client.force_login(world.executor)
    from django.urls import reverse

    body = client.get(reverse("service_requests:queue"), {"overdue": "1"}).content.decode()
    assert request.number in body


def test_without_a_head_the_organisations_dispatchers_are_told(
    world, django_capture_on_commit_callbacks
):
    from tests.factories import MembershipFactory

    world.manager.head = None
    world.manager.save(update_fields=["head"])
    own_dispatcher = MembershipFactory(organisation=world.manager, role="dispatcher").user
    request = submit(world)
    Stage.objects.filter(request=request).update(due_at=timezone.now() - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        services.sweep_overdue()
    assert Message.objects.filter(
        recipient=own_dispatcher, event="service_requests.overdue"
    ).exists()
    assert not Message.objects.filter(
        recipient=world.dispatcher, event="service_requests.overdue"
    ).exists()
