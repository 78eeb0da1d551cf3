""" "Already reported in this building" before submitting (issue 16.7): the form's step shows
the open requests of the chosen category in the chosen building, without JavaScript (the
step) and with it (the list fetched as the address is typed); nothing is submitted."""

from __future__ import annotations

from django.urls import reverse

from cityhall.service_requests.models import ServiceRequest

from .factories import submit


def _step(**extra):
    data = {"category": "leak", "address": "", "description": "", "step": "questions"}
    data.update(extra)
    return data


def test_the_step_shows_earlier_reports_once_building_and_category_are_known(client, world):
    first = submit(world)
    url = reverse("service_requests:new")
    page = client.get(url).content.decode()
    assert "Check for earlier reports at this address" in page
    assert 'id="earlier-reports"' in page and first.number not in page

    # The category alone: nothing to compare yet.
    page = client.post(url, _step()).content.decode()
    assert first.number not in page

    # The typed address finds the building: the earlier report is listed, nothing is sent.
    response = client.post(url, _step(address="ул. Баумана, 5"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Already reported in this building" in body and first.number in body
    assert ServiceRequest.objects.count() == 1

    # Another category, or another building: not the same problem.
    assert (
        first.number
        not in client.post(
            url, _step(category="heating", address="ул. Баумана, 5")
        ).content.decode()
    )
    assert (
        first.number
        not in client.post(url, _step(building=str(world.other_building.pk))).content.decode()
    )


def test_closed_requests_are_not_offered_as_earlier_reports(client, world):
    from cityhall.service_requests import services

    first = submit(world)
    services.transition(request=first, actor=world.executor, to="accepted")
    services.transition(request=first, actor=world.executor, to="done", report="fixed")
    services.transition(request=first, actor=world.resident, to="confirmed")
    body = client.post(
        reverse("service_requests:new"), _step(building=str(world.building.pk))
    ).content.decode()
    assert first.number not in body


def test_the_form_script_gets_earlier_reports_as_the_address_is_typed(client, world):
    first = submit(world)
    url = reverse("service_requests:earlier_reports")
    items = client.get(url, {"category": "leak", "address": "Баумана 5"}).json()["items"]
    assert [i["number"] for i in items] == [first.number]
    assert items[0]["url"] == reverse("service_requests:detail", args=[first.pk])
    assert set(items[0]) == {"number", "url", "category", "status", "submitted"}  # nothing personal
    assert client.get(url, {"category": "heating", "address": "Баумана 5"}).json() == {"items": []}
    assert client.get(url, {"category": "leak"}).json() == {"items": []}
