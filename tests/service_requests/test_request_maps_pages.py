"""Maps on the request pages (issue 14): the request page's small map of its building, the
staff queue and board as maps of their own requests, and the building page naming who answers
for it, its open requests and "report a problem here"."""

from __future__ import annotations

import json
import re

from django.urls import reverse

from .factories import submit

VIEW = {"bbox": "48.9,55.7,49.3,55.9", "zoom": "18"}


def _config(html: str, map_id: str) -> dict:
    match = re.search(
        rf'<script id="{map_id}-config" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, map_id
    return json.loads(match.group(1))


def test_a_request_page_shows_its_building_on_a_small_map(client, world):
    request = submit(world)
    html = client.get(reverse("service_requests:detail", args=[request.pk])).content.decode()
    (pin,) = _config(html, "request-map")["pins"]
    assert (pin["lat"], pin["lon"]) == (world.building.lat, world.building.lon)
    assert pin["url"] == reverse("geo:building", args=[world.building.pk])
    # The text alternative names the building with its link.
    assert f'<a href="{pin["url"]}">{world.building.address}</a>' in html


def test_the_queue_map_shows_only_the_organisations_requests(client, world):
    mine = submit(world)
    assert mine.organisation_id == world.manager.pk  # routed to the building's manager
    submit(world, building=world.orphan_building)  # not the manager's
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:queue_map"))
    assert page.status_code == 200
    assert _config(page.content.decode(), "desk-map")["clustersUrl"] == reverse(
        "service_requests:queue_map_clusters"
    )
    features = client.get(reverse("service_requests:queue_map_clusters"), VIEW).json()["features"]
    assert [f["properties"]["url"] for f in features] == [
        reverse("service_requests:staff_detail", args=[mine.pk])
    ]


def test_the_board_map_is_for_dispatchers_and_groups_one_fault_at_a_building(client, world):
    for _ in range(3):
        submit(world, building=world.orphan_building, category=world.heating)
    client.force_login(world.executor)
    assert client.get(reverse("service_requests:board_map_clusters"), VIEW).status_code == 403
    client.force_login(world.dispatcher)
    query = {**VIEW, "category": str(world.heating.pk), "status": "new"}
    (group,) = client.get(reverse("service_requests:board_map_clusters"), query).json()["features"]
    assert group["properties"]["count"] == 3
    assert group["properties"]["url"].endswith(f"?building={world.orphan_building.pk}")
    board = client.get(reverse("service_requests:board")).content.decode()
    assert reverse("service_requests:board_map") in board


def test_anonymous_visitors_cannot_read_the_staff_maps(client, world):
    response = client.get(reverse("service_requests:queue_map_clusters"), VIEW)
    assert response.status_code in (302, 403)


def test_a_building_page_names_who_answers_and_offers_to_report_here(client, world):
    request = submit(world)
    html = client.get(reverse("geo:building", args=[world.building.pk])).content.decode()
    assert "Managing organisation" in html and "UK Baumana" in html
    # Heating goes to the district's heat supplier there, leaks to the managing organisation.
    assert re.search(r"<dt>[^<]*heating[^<]*</dt><dd><a [^>]*>Teploset</a>", html, re.I)
    assert request.number in html
    report = reverse("service_requests:new") + "?address="
    assert report in html and f"building={world.building.pk}" in html
    form = client.get(
        reverse("service_requests:new"),
        {"address": world.building.address, "building": world.building.pk},
    ).content.decode()
    assert f'value="{world.building.address}"' in form
