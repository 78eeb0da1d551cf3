"""The public map of requests (issue 14): clusters made on the server, each request at its
building (never the resident's own point), no descriptions, filters, districts shaded by count
with a legend, and the same as a list for readers without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.urls import reverse

from cityhall.geo.shading import shade_classes, shade_of
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest

from .factories import submit

CITY_VIEW = {"bbox": "48.9,55.7,49.3,55.9", "zoom": "18"}


def _clusters(client, **query):
    response = client.get(reverse("service_requests:map_clusters"), {**CITY_VIEW, **query})
    assert response.status_code == 200
    return response.json()["features"]


def _config(response) -> dict:
    match = re.search(
        r'<script id="requests-map-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1))


def test_close_counts_get_different_shades_not_all_the_darkest():
    # The seven demo districts had 426 to 484 open requests and were all drawn darkest.
    counts = [440, 474, 426, 427, 484, 455, 439]
    classes = shade_classes(counts)
    shades = [shade_of(n, classes) for n in counts]
    assert len(set(shades)) >= 4
    assert shade_of(426, classes) != shade_of(484, classes)
    assert classes[0].low == 426 and classes[-1].high == 484


def test_the_map_page_shades_districts_by_count_with_a_legend(client, world):
    submit(world)
    submit(world, building=world.other_building)
    response = client.get(reverse("service_requests:map"))
    config = _config(response)
    fills = {s["properties"]["title"]: s["properties"]["fill"] for s in config["shapes"]}
    assert fills["West District: 2"] != fills["East District: 0"]
    html = response.content.decode()
    assert "Legend" in html and "2 requests" in html and "0 requests" in html
    assert config["clustersUrl"] == reverse("service_requests:map_clusters")


def test_a_pin_stands_at_the_building_and_shows_no_description(client, world):
    request = submit(world, description="Flat 12, my neighbour Ivanov floods me")
    ServiceRequest.objects.filter(pk=request.pk).update(lat=55.78031, lon=49.05017)
    (pin,) = _clusters(client)
    assert pin["geometry"]["coordinates"] == [world.building.lon, world.building.lat]
    props = pin["properties"]
    assert props["count"] == 1 and props["url"] == reverse(
        "service_requests:detail", args=[request.pk]
    )
    assert props["title"] == f"{request.number} · {world.leak}"
    assert any("ago" in line for line in props["lines"])
    text = json.dumps(pin)
    assert "Ivanov" not in text and "Flat" not in text


def test_a_request_without_a_building_is_rounded_to_about_a_hundred_metres(client, world):
    request = submit(world, building=None, lat=55.76543, lon=49.12345)
    assert request.building_id is None
    (pin,) = _clusters(client)
    assert pin["geometry"]["coordinates"] == [49.123, 55.765]


def test_requests_at_one_building_are_one_group_linking_the_building(client, world):
    for _ in range(3):
        submit(world)
    (group,) = _clusters(client)
    assert group["properties"]["count"] == 3
    assert group["properties"]["url"] == reverse("geo:building", args=[world.building.pk])
    assert world.building.address in group["properties"]["title"]


def test_far_out_the_city_is_a_few_clusters_counted_on_the_server(client, world):
    submit(world)
    submit(world, building=world.other_building)
    submit(world, building=world.orphan_building)
    features = _clusters(client, zoom="9")
    assert sum(f["properties"]["count"] for f in features) == 3
    assert len(features) < 3


def test_filters_by_category_status_period_and_district(client, world):
    leak = submit(world)
    heating = submit(world, category=world.heating, building=world.orphan_building)
    services.transition(request=heating, actor=world.dispatcher, to="rejected", reason="dup")

    def counted(**query) -> int:
        return sum(f["properties"]["count"] for f in _clusters(client, **query))

    assert counted() == 1  # open by default
    assert counted(status="closed") == 1 and counted(status="all") == 2
    assert counted(status="all", category="heating") == 1
    assert counted(status="all", district=str(world.city.east.pk)) == 1
    assert counted(status="all", period="7") == 2
    ServiceRequest.objects.filter(pk=leak.pk).update(created_at=leak.created_at.replace(year=2020))
    assert counted(period="30") == 0 and counted() == 1


def test_without_javascript_the_page_lists_the_requests_and_offers_the_address_search(
    client, world
):
    request = submit(world)
    html = client.get(reverse("service_requests:map")).content.decode()
    assert request.number in html and world.building.address in html
    assert f'action="{reverse("geo:search")}"' in html and 'name="q"' in html
    assert "Water drips" not in html


def test_the_list_beside_the_map_is_newest_first_across_statuses_page_by_page(
    client, world, monkeypatch
):
    # The list is merged from one newest-first read per status (requests_map.NewestFirst):
    # it must read as one list ordered by date, then number, over every status shown.
    monkeypatch.setattr("cityhall.service_requests.views.pages.PAGE_SIZE", 2)
    made = [submit(world) for _ in range(6)]
    now = made[0].created_at
    layout = [  # (status, minutes ago): the statuses interleave in time; two share a moment
        ("in_work", 50),
        ("new", 10),
        ("accepted", 30),
        ("routed", 20),
        ("new", 30),
        ("done", 5),
    ]
    for request, (status, minutes) in zip(made, layout, strict=True):
        ServiceRequest.objects.filter(pk=request.pk).update(
            status=status,
            created_at=now - dt.timedelta(minutes=minutes),
            closed_at=now if status == "done" else None,
        )

    def listed(**query) -> list[str]:
        html = client.get(reverse("service_requests:map"), query).content.decode()
        found = {r.number: html.find(r.number) for r in made if r.number in html}
        return sorted(found, key=found.get)

    number = [r.number for r in made]
    # 10 min, 20 min, then the two at 30 min with the higher id first, then 50 min
    expected = [number[1], number[3], number[4], number[2], number[0]]
    assert listed() + listed(page="2") + listed(page="3") == expected
    assert listed(status="all")[:1] == [number[5]]
    assert listed(status="closed") == [number[5]]
    # the shading counts the open requests of every status: five in the West district
    fills = {
        s["properties"]["title"]
        for s in _config(client.get(reverse("service_requests:map")))["shapes"]
    }
    assert "West District: 5" in fills
