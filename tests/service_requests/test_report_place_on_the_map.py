"""Issue 14: placing a report on the map. A click snaps to the nearest building and names the
organisation that will receive the request; a click outside the city says so; open requests of
the same problem at the building and within the configured distance are listed before the
resident sends (with the form's step without JavaScript, and the call-centre screen too)."""

from __future__ import annotations

from django.urls import reverse

from cityhall.service_requests.models import ServiceRequest

from .factories import photo, submit

PLACE = "service_requests:place"


def test_a_map_click_snaps_to_the_nearest_building_and_names_who_receives_it(client, world):
    # About 15 m from ул. Баумана, 5.
    answer = client.get(
        reverse(PLACE), {"category": "leak", "lat": "55.7801", "lon": "49.0501"}
    ).json()
    assert answer["inside_city"] is True
    assert answer["building"]["id"] == world.building.pk
    assert answer["building"]["address"] == world.building.address
    assert (answer["lat"], answer["lon"]) == (world.building.lat, world.building.lon)  # snapped
    assert answer["organisation"] == "UK Baumana"
    assert answer["district"] == "West District"


def test_a_point_with_no_building_near_goes_to_the_dispatcher(client, world):
    answer = client.get(reverse(PLACE), {"category": "leak", "lat": "55.82", "lon": "49.01"}).json()
    assert answer["inside_city"] is True and answer["building"] is None
    assert (answer["lat"], answer["lon"]) == (55.82, 49.01)
    assert answer["organisation"] == "Housing committee"
    assert "No building within 60 m" in answer["message"]


def test_a_click_outside_the_city_says_so(client, world):
    answer = client.get(reverse(PLACE), {"category": "leak", "lat": "55.5", "lon": "48.5"}).json()
    assert answer["inside_city"] is False and answer["building"] is None
    assert answer["message"] == "This point is outside the city. Choose a place inside it."
    assert answer["items"] == []


def test_the_address_search_moves_the_pin_to_the_building(client, world):
    answer = client.get(reverse(PLACE), {"category": "heating", "address": "Баумана 5"}).json()
    assert answer["building"]["id"] == world.building.pk
    assert answer["organisation"] == "Teploset"  # the district's heat supplier


def test_open_requests_at_the_building_and_within_the_set_distance_are_listed(
    client, world, settings
):
    here = submit(world)
    next_door = submit(world, building=world.other_building)  # about 165 m away
    submit(world, category=world.heating)  # another problem: never listed
    query = {"category": "leak", "lat": "55.7801", "lon": "49.0501"}

    settings.REQUESTS_NEARBY_METRES = 100
    items = client.get(reverse(PLACE), query).json()["items"]
    assert [i["number"] for i in items] == [here.number]
    assert items[0]["where"] == "in this building"

    settings.REQUESTS_NEARBY_METRES = 200
    items = client.get(reverse(PLACE), query).json()["items"]
    assert [i["number"] for i in items] == [here.number, next_door.number]  # the building first
    assert items[1]["where"].endswith("m away") and items[1]["address"].endswith("7")
    assert items[0]["follow_url"] == reverse("service_requests:follow", args=[here.pk])
    # Nothing personal, and no photo for the public (the form promises photos stay private).
    assert "contact_phone" not in items[0] and items[0]["photo"] is None


def test_the_form_step_without_javascript_lists_them_from_a_typed_point(client, world):
    earlier = submit(world)
    page = client.post(
        reverse("service_requests:new"),
        {"category": "leak", "lat": "55.7801", "lon": "49.0501", "step": "questions"},
    ).content.decode()
    assert "Already reported in this building or nearby" in page and earlier.number in page
    assert f"The place: {world.building.address}." in page
    assert "The request will go to UK Baumana." in page
    assert reverse("service_requests:follow", args=[earlier.pk]) in page  # the button
    assert ServiceRequest.objects.count() == 1


def test_a_point_outside_the_city_is_refused_and_the_answers_are_kept(client, world):
    page = client.post(
        reverse("service_requests:new"),
        {
            "category": "leak",
            "lat": "55.5",
            "lon": "48.5",
            "description": "Water drips in the porch",
            "applicant_kind": "person",
        },
    )
    body = page.content.decode()
    assert page.status_code == 422 and "This point is outside the city" in body
    assert "Water drips in the porch" in body
    assert ServiceRequest.objects.count() == 0


def test_the_call_centre_sees_the_same_list_with_the_photo(client, world):
    earlier = submit(world, photos=[photo()])
    client.force_login(world.operator)
    answer = client.get(reverse(PLACE), {"category": "leak", "building": world.building.pk})
    assert answer.json()["items"][0]["photo"]  # staff see the resident's photo
    page = client.post(
        reverse("service_requests:operator"),
        {"category": "leak", "address": "ул. Баумана, 5", "step": "questions"},
    ).content.decode()
    assert earlier.number in page and 'name="for_caller" value="1"' in page
    assert "Photo of the request" in page
