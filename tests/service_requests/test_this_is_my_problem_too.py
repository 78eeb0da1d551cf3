""" "This is my problem too" (issue 14): instead of filing a duplicate, a resident follows the
open request already reported, is told as it moves, and the public page counts (never names)
the followers; the call centre registers a caller the same way."""

from __future__ import annotations

from django.urls import reverse

from cityhall.core.models import AuditRecord
from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import Follower, ServiceRequest
from tests.factories import UserFactory

from .factories import submit


def test_a_resident_follows_an_open_request_and_is_told_as_it_moves(client, world):
    earlier = submit(world)
    neighbour = UserFactory()
    client.force_login(neighbour)
    url = reverse("service_requests:follow", args=[earlier.pk])
    response = client.post(url, {"category": "leak", "description": "mine too"}, follow=True)
    assert "You now follow request" in response.content.decode()
    assert ServiceRequest.objects.count() == 1  # no duplicate
    assert Follower.objects.get().user == neighbour
    assert AuditRecord.objects.filter(action="service_requests.followed").count() == 1
    client.post(url)  # twice: still one
    assert Follower.objects.count() == 1

    services.transition(request=earlier, actor=world.executor, to="accepted")
    notice = Message.objects.get(
        recipient=neighbour, event="service_requests.status_changed", channel="cabinet"
    )
    assert earlier.number in notice.subject

    page = client.get(reverse("service_requests:detail", args=[earlier.pk])).content.decode()
    assert "1 resident has this problem too." in page
    assert "You follow this request" in page
    assert neighbour.email not in page


def test_a_guest_is_asked_to_sign_in_and_a_closed_request_is_not_followed(client, world):
    earlier = submit(world)
    url = reverse("service_requests:follow", args=[earlier.pk])
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Follower.objects.exists()

    services.transition(request=earlier, actor=world.executor, to="accepted")
    services.transition(request=earlier, actor=world.executor, to="done", report="fixed")
    client.force_login(UserFactory())
    page = client.post(url, follow=True).content.decode()
    assert "This request is closed" in page and not Follower.objects.exists()


def test_the_author_does_not_follow_their_own_request(client, world):
    earlier = submit(world)
    client.force_login(world.resident)
    page = client.post(
        reverse("service_requests:follow", args=[earlier.pk]), follow=True
    ).content.decode()
    assert "reported by this very person" in page and not Follower.objects.exists()


def test_the_call_centre_registers_the_caller_as_a_follower(client, world):
    earlier = submit(world)
    client.force_login(world.operator)
    response = client.post(
        reverse("service_requests:follow", args=[earlier.pk]),
        {"for_caller": "1", "contact_phone": "8 917 555-00-09", "category": "leak"},
    )
    assert response.status_code == 302 and "phone=%2B79175550009" in response["Location"]
    follower = Follower.objects.get()
    assert follower.user is None and follower.contact_phone == "+79175550009"
    assert follower.entered_by == world.operator

    services.transition(request=earlier, actor=world.executor, to="accepted")
    assert Message.objects.filter(
        event="service_requests.status_changed", address="+79175550009"
    ).exists()


def test_only_the_call_centre_registers_someone_else(client, world):
    earlier = submit(world)
    client.force_login(UserFactory())
    client.post(
        reverse("service_requests:follow", args=[earlier.pk]),
        {"for_caller": "1", "contact_phone": "+79175550009"},
    )
    assert not Follower.objects.exists()
