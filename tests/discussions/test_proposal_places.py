"""A proposal's place (issue 14): an optional point, area or address inside the discussion's
territory, refused with the reason next to the map (the answers kept), shown on the proposal's
page and on the discussion's map of proposals (public ones only), and taken and given back by
the API. The discussion's territory here is the west district (49.00–49.10 E, 55.75–55.85 N)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cityhall.discussions import services
from cityhall.discussions.models import Proposal
from cityhall.discussions.proposal_places import MAX_AREA_VERTICES
from tests.geo.factories import box

pytestmark = pytest.mark.django_db

REASON = "off_topic"
WEST_SQUARE = box(49.02, 55.76, 49.04, 55.77)
EAST_SQUARE = box(49.15, 55.76, 49.17, 55.77)


def _post(client, discussion, text="Скамейки у пруда", **extra):
    return client.post(
        f"/discussions/{discussion.pk}/propose/", {"kind": "proposal", "text": text, **extra}
    )


def _api(client, discussion, **payload):
    return client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Через API", "kind": "proposal", **payload},
        content_type="application/json",
    )


def test_a_point_chosen_on_the_map_is_stored_and_shown_on_the_proposal_page(
    client, discussion, resident, west_home
):
    client.force_login(resident)
    response = _post(client, discussion, lat="55.7801", lon="49.0501")
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.lat, proposal.lon, proposal.area) == (55.7801, 49.0501, None)
    page = client.get(response["Location"]).content.decode()
    # In words (the map's text alternative): the nearest building, and on a small map.
    assert f"A point on the map: {west_home.address}" in page
    assert 'id="proposal-map"' in page and "leaflet/leaflet.js" in page


def test_a_place_outside_the_territory_is_said_next_to_the_map_and_the_answers_kept(
    client, discussion, resident
):
    client.force_login(resident)
    # Inside the city (the east district) but outside this discussion's territory.
    response = _post(client, discussion, text="Мой текст остаётся", lat="55.78", lon="49.15")
    assert response.status_code == 422
    page = response.content.decode()
    status = page.split('id="proposal-place-status"', 1)[1].split("</p>", 1)[0]
    assert "outside the discussion" in status
    assert "Мой текст остаётся" in page
    assert 'value="55.78"' in page  # the point is kept for the map to show again
    drawn = _post(client, discussion, area=json.dumps(EAST_SQUARE))
    assert drawn.status_code == 422 and "outside the discussion" in drawn.content.decode()
    assert not Proposal.objects.exists()


def test_an_area_must_be_one_valid_polygon_of_bounded_size(client, discussion, resident):
    client.force_login(resident)
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[49.02, 55.76], [49.04, 55.77], [49.04, 55.76], [49.02, 55.77]]],
    }
    ring = [[49.02 + 0.02 * i / MAX_AREA_VERTICES, 55.76] for i in range(MAX_AREA_VERTICES)]
    too_many = {"type": "Polygon", "coordinates": [[*ring, [49.03, 55.77], ring[0]]]}
    multi = {"type": "MultiPolygon", "coordinates": [WEST_SQUARE["coordinates"]]}
    for area, reason in (
        (bowtie, "not a valid polygon"),
        (too_many, f"at most {MAX_AREA_VERTICES}"),
        (multi, "must be a GeoJSON Polygon"),
        ({"type": "Point", "coordinates": [49.03, 55.76]}, "Polygon"),
    ):
        response = _post(client, discussion, area=json.dumps(area))
        assert response.status_code == 422 and reason in response.content.decode(), reason
    both = _post(client, discussion, area=json.dumps(WEST_SQUARE), lat="55.78", lon="49.05")
    assert both.status_code == 422 and "not both" in both.content.decode()
    assert _post(client, discussion, area=json.dumps(WEST_SQUARE)).status_code == 302
    assert Proposal.objects.get().area == WEST_SQUARE


def test_without_javascript_an_address_places_the_proposal_at_its_building(
    client, discussion, resident, west_home
):
    client.force_login(resident)
    unknown = _post(client, discussion, address="Несуществующая 99")
    assert unknown.status_code == 422 and "We do not know the address" in unknown.content.decode()
    assert _post(client, discussion, address="Западная 1").status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.lat, proposal.lon) == (west_home.lat, west_home.lon)
    # The form page offers the address field and the map with its keyboard labels.
    form = client.get(f"/discussions/{discussion.pk}/propose/").content.decode()
    assert 'name="address"' in form and 'id="proposal-place-map"' in form
    assert "Put the point at the centre of the map" in form


def test_a_proposal_without_a_place_reads_nothing_of_the_map(discussion, resident):
    """The hot path: no place, no territory or building lookups (the place is checked only
    when one is given)."""
    services.submit_proposal(discussion=discussion, author=resident, text="Разминка")
    with CaptureQueriesContext(connection) as plain:
        services.submit_proposal(discussion=discussion, author=resident, text="Без места")
    with CaptureQueriesContext(connection) as placed:
        services.submit_proposal(
            discussion=discussion, author=resident, text="С местом", lat=55.78, lon=49.05
        )
    # (The author's verified address joins its building: that is eligibility, not the place.)
    geo_reads = [q["sql"] for q in plain.captured_queries if 'FROM "geo_' in q["sql"]]
    assert geo_reads == []
    assert any('FROM "geo_district"' in q["sql"] for q in placed.captured_queries)
    assert len(placed.captured_queries) > len(plain.captured_queries)


def test_the_api_takes_and_gives_back_the_place(client, discussion, resident, moderator):
    client.force_login(resident)
    assert _api(client, discussion, area=WEST_SQUARE).status_code == 201
    assert _api(client, discussion, text="Точка", lat=55.78, lon=49.05).status_code == 201
    outside = _api(client, discussion, text="Вне", lat=55.78, lon=49.15)
    assert outside.status_code == 422 and "lat" in outside.json()["fields"]
    bad = _api(client, discussion, text="Плохо", area={"type": "Polygon", "coordinates": "x"})
    assert bad.status_code == 422 and "area" in bad.json()["fields"]
    first = client.get(f"/api/v1/discussions/{discussion.pk}/proposals/1").json()
    assert first["area"] == WEST_SQUARE and first["lat"] is None
    second = client.get(f"/api/v1/discussions/{discussion.pk}/proposals/2").json()
    assert (second["lat"], second["lon"], second["area"]) == (55.78, 49.05, None)
    # A hidden proposal's place is as private as its text.
    services.moderate(
        moderator=moderator, proposal=Proposal.objects.get(number=1), hide=True, reason=REASON
    )
    assert client.get(f"/api/v1/discussions/{discussion.pk}/proposals/1").json()["area"] is None
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"lat", "lon", "area"} <= set(schema["ProposalOut"]["properties"])
    assert {"lat", "lon", "area", "address"} <= set(schema["ProposalIn"]["properties"])


def test_the_map_of_proposals_shows_public_ones_with_a_place_and_lists_them(
    client, discussion, resident, moderator
):
    submit = services.submit_proposal
    submit(discussion=discussion, author=resident, text="Точка у школы", lat=55.78, lon=49.05)
    submit(discussion=discussion, author=resident, text="Сквер целиком", area=WEST_SQUARE)
    submit(discussion=discussion, author=resident, text="Без места вовсе")
    hidden = submit(discussion=discussion, author=resident, text="Скрытое", lat=55.79, lon=49.06)
    services.moderate(moderator=moderator, proposal=hidden, hide=True, reason=REASON)
    response = client.get(f"/discussions/{discussion.pk}/proposals/map/")
    assert response.status_code == 200
    page = response.content.decode()
    listed = page.split('class="item-list placed-list"', 1)[1].split("</ul>", 1)[0]
    assert f"/discussions/{discussion.pk}/proposals/1/" in listed
    assert f"/discussions/{discussion.pk}/proposals/2/" in listed
    assert "/proposals/3/" not in listed and "/proposals/4/" not in listed
    config = page.split('id="proposals-map-config" type="application/json">', 1)[1]
    config = json.loads(config.split("</script>", 1)[0])
    assert [p["url"] for p in config["pins"]] == [f"/discussions/{discussion.pk}/proposals/1/"]
    areas = [s for s in config["shapes"] if s["properties"]["url"]]
    assert [s["geometry"] for s in areas] == [WEST_SQUARE]
    assert "55.79" not in page  # nothing of the hidden proposal
    detail = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert f'href="/discussions/{discussion.pk}/proposals/map/"' in detail
