"""Public pages: list, map, organisations; the staff workspace lists the request desks."""

from __future__ import annotations

from django.urls import reverse

from cityhall.service_requests import services

from .factories import submit


def test_public_list_filters_and_map(client, world):
    leak = submit(world)
    heating = submit(world, category=world.heating)
    services.transition(request=heating, actor=world.dispatcher, to="rejected", reason="dup")
    body = client.get(reverse("service_requests:list"), {"status": "open"}).content.decode()
    assert leak.number in body and heating.number not in body
    body = client.get(reverse("service_requests:list"), {"category": "heating"}).content.decode()
    assert heating.number in body and leak.number not in body
    page = client.get(reverse("service_requests:map"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    assert "ул. Баумана, д. 5" in html or world.building.address in html
    assert "West District" in html or world.city.west.name in html


def test_workspace_lists_request_desks_by_role(client, world):
    client.force_login(world.dispatcher)
    body = client.get(reverse("portal:workspace")).content.decode()
    assert "Dispatcher board" in body and "Requests: reports" in body
    client.force_login(world.operator)
    body = client.get(reverse("portal:workspace")).content.decode()
    assert "Call centre: new request" in body and "Dispatcher board" not in body


def test_executor_view_works_for_the_organisation_only(client, world):
    request = submit(world)
    client.force_login(world.executor)
    assert (
        client.get(reverse("service_requests:staff_detail", args=[request.pk])).status_code == 200
    )
    heating = submit(world, category=world.heating)
    assert (
        client.get(reverse("service_requests:staff_detail", args=[heating.pk])).status_code == 403
    )


def test_call_centre_operator_may_read_but_not_act(client, world):
    request = submit(world)
    client.force_login(world.operator)
    page = client.get(reverse("service_requests:staff_detail", args=[request.pk]))
    assert page.status_code == 200
    assert 'name="to"' not in page.content.decode()
    response = client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"to": "accepted", "version": request.version},
    )
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "routed"
