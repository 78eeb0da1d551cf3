"""The workflow: one transition function, reasons where required, reopen counted, merge,
comments and photos, confirm, feedback; audit and notifications on each change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.core.errors import Forbidden, InvalidInput
from cityhall.core.models import AuditRecord
from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import Feedback, Stage, Status, StatusChange

from .factories import photo, submit


def test_full_path_to_confirmation_and_vote(client, world):
    request = submit(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    services.transition(request=request, actor=world.executor, to="in_work")
    with pytest.raises(InvalidInput) as err:
        services.transition(request=request, actor=world.executor, to="done")
    assert "report" in err.value.fields
    services.transition(
        request=request, actor=world.executor, to="done", report="Roof patched", photos=[photo()]
    )
    request.refresh_from_db()
    assert request.executor == world.executor and request.closed_at is not None
    assert not Stage.objects.filter(request=request, finished_at__isnull=True).exists()
    client.force_login(world.resident)
    url = reverse("service_requests:resident_action", args=[request.public_token])
    client.post(url, {"action": "confirm", "version": request.version})
    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    client.post(url, {"action": "feedback", "score": "4", "text": "Quick"})
    assert Feedback.objects.get(request=request).score == 4
    page = client.get(
        reverse("service_requests:track", args=[request.public_token])
    ).content.decode()
    assert "Your vote: 4 of 5." in page and "Roof patched" in page
    steps = list(StatusChange.objects.filter(request=request).values_list("to_status", flat=True))
    assert steps == ["routed", "accepted", "in_work", "done", "confirmed"]
    actions = set(
        AuditRecord.objects.filter(object_id=str(request.pk)).values_list("action", flat=True)
    )
    assert {
        "service_requests.accepted",
        "service_requests.done",
        "service_requests.confirmed",
        "service_requests.rated",
    } <= actions
    assert (
        Message.objects.filter(
            recipient=world.resident, event="service_requests.status_changed"
        ).count()
        >= 4
    )


def test_reopen_goes_back_to_work_and_is_counted(client, world):
    request = submit(world)
    for to in ("accepted", "in_work"):
        services.transition(request=request, actor=world.executor, to=to)
    services.transition(request=request, actor=world.executor, to="done", report="Fixed")
    client.force_login(world.resident)
    url = reverse("service_requests:resident_action", args=[request.public_token])
    client.post(url, {"action": "reopen", "version": request.version + 3})  # stale: refused
    request.refresh_from_db()
    assert request.status == Status.DONE
    client.post(url, {"action": "reopen", "version": request.version, "reason": ""})
    request.refresh_from_db()
    assert request.status == Status.DONE  # a reason is required
    client.post(url, {"action": "reopen", "version": request.version, "reason": "Still drips"})
    request.refresh_from_db()
    assert request.status == Status.IN_WORK and request.reopen_count == 1
    assert request.closed_at is None and request.stage_due_at is not None


def test_rejection_and_forwarding_need_a_reason(world):
    request = submit(world)
    with pytest.raises(InvalidInput) as err:
        services.transition(request=request, actor=world.executor, to="rejected")
    assert "reason" in err.value.fields
    services.transition(request=request, actor=world.executor, to="new", reason="Not our building")
    request.refresh_from_db()
    assert request.status == Status.NEW and request.organisation is None


def test_only_allowed_people_may_move(world):
    request = submit(world)
    with pytest.raises(Forbidden):
        services.transition(request=request, actor=world.resident, to="accepted")
    with pytest.raises(InvalidInput):
        services.transition(request=request, actor=world.executor, to="confirmed")


def test_dispatcher_reassigns_from_the_board(client, world):
    request = submit(world, building=world.orphan_building)
    client.force_login(world.dispatcher)
    board = client.get(reverse("service_requests:board"))
    assert board.status_code == 200 and request.number in board.content.decode()
    response = client.post(
        reverse("service_requests:bulk"),
        {"ids": [request.pk], "to": "routed", "organisation": world.manager.pk, "reason": "ours"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.organisation == world.manager and request.status == Status.ROUTED
    elsewhere = client.post(
        reverse("service_requests:bulk"),
        {"ids": [], "to": "routed", "next": "https://evil.example/"},
    )
    assert elsewhere["Location"] == reverse("service_requests:queue")


def test_merge_children_follow_and_all_authors_are_told(client, world):
    from tests.factories import UserFactory

    neighbour = UserFactory()
    parent = submit(world)
    child = submit(world, author=neighbour)
    client.force_login(world.dispatcher)
    page = client.get(reverse("service_requests:staff_detail", args=[child.pk])).content.decode()
    assert parent.number in page  # shown as a likely duplicate
    client.post(
        reverse("service_requests:staff_action", args=[child.pk]),
        {"action": "merge", "parent": parent.pk, "version": child.version},
    )
    child.refresh_from_db()
    assert child.status == Status.MERGED and child.parent == parent
    assert Message.objects.filter(recipient=neighbour, event="service_requests.merged").exists()
    assert Message.objects.filter(
        recipient=world.resident, event="service_requests.merged"
    ).exists()
    services.transition(request=parent, actor=world.executor, to="accepted")
    assert Message.objects.filter(
        recipient=neighbour, event="service_requests.status_changed"
    ).exists()
    public = client.get(reverse("service_requests:detail", args=[child.pk])).content.decode()
    assert parent.number in public and "Accepted" in public


def test_comment_exchange_with_photo(client, world):
    request = submit(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    services.transition(request=request, actor=world.executor, to="in_work")
    client.force_login(world.executor)
    client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"action": "comment", "text": "Is the flat open tomorrow at 10?"},
    )
    assert Message.objects.filter(
        recipient=world.resident, event="service_requests.commented"
    ).exists()
    client.force_login(world.resident)
    client.post(
        reverse("service_requests:resident_action", args=[request.public_token]),
        {"action": "comment", "text": "Yes, here is the stain", "photos": [photo()]},
    )
    assert Message.objects.filter(
        recipient=world.executor, event="service_requests.commented"
    ).exists()
    page = client.get(
        reverse("service_requests:track", args=[request.public_token])
    ).content.decode()
    assert "Is the flat open tomorrow at 10?" in page and "Yes, here is the stain" in page
    assert request.photos.filter(kind="comment").count() == 1


def test_public_page_shows_no_personal_data(client, world):
    request = submit(world, contact_phone="+79001112233", contact_name="Secret Person")
    client.logout()
    page = client.get(reverse("service_requests:detail", args=[request.pk])).content.decode()
    assert request.number in page
    assert "+79001112233" not in page and "Secret Person" not in page
    listing = client.get(reverse("service_requests:list")).content.decode()
    assert request.number in listing and "+79001112233" not in listing


def test_executor_queue_filters(client, world):
    leak = submit(world)
    other = submit(world, building=world.other_building)
    client.force_login(world.executor)
    url = reverse("service_requests:queue")
    body = client.get(url).content.decode()
    assert leak.number in body and other.number in body
    body = client.get(url, {"building": world.other_building.pk}).content.decode()
    assert other.number in body and leak.number not in body
    body = client.get(url, {"address": "Баумана 7"}).content.decode()
    assert other.number in body and leak.number not in body
    body = client.get(url, {"address": "Nowhere 1"}).content.decode()
    assert other.number not in body and leak.number not in body
    body = client.get(url, {"overdue": "1"}).content.decode()
    assert leak.number not in body
    client.post(reverse("service_requests:bulk"), {"ids": [leak.pk, other.pk], "to": "accepted"})
    leak.refresh_from_db()
    assert leak.status == Status.ACCEPTED
    detail = client.get(reverse("service_requests:staff_detail", args=[leak.pk]))
    assert detail.status_code == 200
    assert 'name="to" value="in_work"' in detail.content.decode()


def test_cabinet_lists_my_requests(client, world):
    request = submit(world)
    client.force_login(world.resident)
    body = client.get(reverse("portal:cabinet")).content.decode()
    assert request.number in body


def test_done_requests_are_confirmed_after_a_week_of_silence(world):
    import datetime as dt

    from django.utils import timezone

    from cityhall.service_requests import tasks
    from cityhall.service_requests.models import ServiceRequest

    old, recent = submit(world), submit(world)
    for request in (old, recent):
        services.transition(request=request, actor=world.executor, to="accepted")
        services.transition(request=request, actor=world.executor, to="done", report="Fixed")
    ServiceRequest.objects.filter(pk=old.pk).update(closed_at=timezone.now() - dt.timedelta(days=8))
    assert tasks.auto_confirm_task.call_local() == 1
    assert ServiceRequest.objects.get(pk=old.pk).status == Status.CONFIRMED
    assert ServiceRequest.objects.get(pk=recent.pk).status == Status.DONE
    assert AuditRecord.objects.filter(
        action="service_requests.confirmed", object_id=str(old.pk), actor_repr="system"
    ).exists()


def test_track_page_offers_live_status(client, world):
    request = submit(world)
    url = reverse("service_requests:live_status", args=[request.public_token])
    page = client.get(reverse("service_requests:track", args=[request.public_token]))
    assert f'data-url="{url}"' in page.content.decode()
    assert client.get(url).json()["status"] == "routed"
    services.transition(request=request, actor=world.executor, to="accepted")
    data = client.get(url).json()
    assert data["status"] == "accepted" and data["version"] == 2
    assert "+7" not in str(data) and world.resident.email not in str(data)


def test_admin_pages_of_the_catalogue_and_requests_open(client, world):
    from tests.factories import UserFactory

    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    submit(world)
    for name in (
        "category",
        "categoryversion",
        "responsibilityarea",
        "buildingmanagement",
        "open311client",
        "servicerequest",
    ):
        response = client.get(reverse(f"admin:service_requests_{name}_changelist"))
        assert response.status_code == 200, name
    version = world.leak.current_version
    response = client.get(
        reverse("admin:service_requests_categoryversion_change", args=[version.pk])
    )
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()  # used by a request: read-only
    response = client.post(
        reverse("admin:service_requests_open311client_add"), {"name": "Partner", "is_active": "on"}
    )
    assert response.status_code == 302
    from cityhall.service_requests.models import Open311Client

    assert Open311Client.objects.filter(name="Partner").count() == 1
