"""Handing a request over (issue 16.5): an organisation cannot pass its request to any other
organisation; it returns it to the dispatcher, or passes it to a partner the dispatcher
allowed. Both sides are told, and the person who handed it over lands on their queue, told
where it went — not on "Saved… Access denied"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.core.errors import Forbidden
from cityhall.core.models import AuditRecord
from cityhall.notifications.models import Message
from cityhall.service_requests import services
from cityhall.service_requests.models import HandoverPartner, ServiceRequest, Status
from tests.factories import MembershipFactory

from .factories import submit

HANDED_OVER = "service_requests.handed_over"


def _told() -> set[int]:
    return set(Message.objects.filter(event=HANDED_OVER).values_list("recipient_id", flat=True))


def _act(client, request, **data):
    request.refresh_from_db()
    return client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"version": request.version, **data},
    )


def test_an_organisation_cannot_pass_a_request_to_any_other_directly(client, world):
    request = submit(world)
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk]))
    assert 'name="to" value="routed"' not in page.content.decode()  # no such form offered
    assert 'name="to" value="new"' in page.content.decode()  # back to the dispatcher

    response = _act(client, request, to="routed", organisation=world.supplier.pk, reason="heat")
    assert response.status_code == 403
    assert "may not pass requests to Teploset directly" in response.content.decode()
    request.refresh_from_db()
    assert request.organisation == world.manager and request.status == Status.ROUTED

    api = client.post(
        f"/api/v1/requests/{request.pk}/transition",
        {"to": "routed", "organisation_id": world.supplier.pk, "reason": "heat"},
        content_type="application/json",
    )
    assert api.status_code == 403 and "directly" in api.json()["detail"]
    assert ServiceRequest.objects.get(pk=request.pk).organisation == world.manager


def test_returning_to_the_dispatcher_tells_both_sides_and_lands_on_the_queue(client, world):
    request = submit(world)
    client.force_login(world.executor)
    response = _act(client, request, to="new", reason="Not our building")
    assert response.status_code == 302
    assert response["Location"] == reverse("service_requests:queue")
    page = client.get(response["Location"]).content.decode()
    assert f"Request {request.number} is now with the city dispatcher." in page
    # Receiving side: the committee's dispatchers; giving side: the organisation's head.
    assert _told() == {world.dispatcher.pk, world.second_dispatcher.pk, world.manager.head_id}
    notice = Message.objects.filter(recipient=world.dispatcher, event=HANDED_OVER).first()
    # In the recipient's language (Russian by default), the dispatcher queue named in it too.
    assert "UK Baumana → городской диспетчер" in notice.subject
    assert "Not our building" in notice.body
    # The receiver opens the request; the giver, who may no longer open it, its queue.
    assert notice.url == reverse("service_requests:staff_detail", args=[request.pk])
    given = Message.objects.filter(recipient=world.manager.head, event=HANDED_OVER).first()
    assert given.url == reverse("service_requests:queue")


def test_dispatcher_routing_tells_the_receiving_organisation(world):
    request = submit(world, building=world.orphan_building)
    assert request.status == Status.NEW
    supplier_executor = MembershipFactory(organisation=world.supplier, role="executor").user
    services.transition(
        request=request, actor=world.dispatcher, to="routed", organisation=world.supplier
    )
    # The supplier has neither head nor dispatchers: its executors are told; the dispatcher
    # who made the move is not told of it.
    assert _told() == {supplier_executor.pk}


def test_an_allowed_partner_receives_directly_and_both_are_told(client, world):
    supplier_executor = MembershipFactory(organisation=world.supplier, role="executor").user
    client.force_login(world.dispatcher)
    response = client.post(
        reverse("service_requests:handovers"),
        {"action": "allow", "organisation": world.manager.pk, "partner": world.supplier.pk},
    )
    assert response.status_code == 302
    allowed = HandoverPartner.objects.get()
    assert (allowed.organisation, allowed.partner) == (world.manager, world.supplier)
    assert AuditRecord.objects.filter(action="service_requests.handover_allowed").exists()
    page = client.get(reverse("service_requests:handovers")).content.decode()
    assert "UK Baumana" in page and "Teploset" in page

    request = submit(world)
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk])).content
    assert b'name="to" value="routed"' in page
    response = _act(client, request, to="routed", organisation=world.supplier.pk, reason="heat")
    assert response.status_code == 302
    assert response["Location"] == reverse("service_requests:queue")
    request.refresh_from_db()
    assert request.organisation == world.supplier and request.status == Status.ROUTED
    assert _told() == {supplier_executor.pk, world.manager.head_id}

    # Withdrawn: the next request goes back through the dispatcher again.
    client.force_login(world.dispatcher)
    client.post(reverse("service_requests:handovers"), {"action": "withdraw", "id": allowed.pk})
    assert not HandoverPartner.objects.exists()
    assert AuditRecord.objects.filter(action="service_requests.handover_withdrawn").exists()
    with pytest.raises(Forbidden):
        services.transition(
            request=submit(world),
            actor=world.executor,
            to="routed",
            organisation=world.supplier,
            reason="heat",
        )


def test_only_the_committee_dispatchers_keep_the_handover_list(client, world):
    client.force_login(world.executor)
    response = client.post(
        reverse("service_requests:handovers"),
        {"action": "allow", "organisation": world.manager.pk, "partner": world.supplier.pk},
    )
    assert response.status_code == 403
    with pytest.raises(Forbidden):
        services.allow_handover(
            actor=world.executor, organisation=world.manager, partner=world.supplier
        )
    assert not HandoverPartner.objects.exists()
