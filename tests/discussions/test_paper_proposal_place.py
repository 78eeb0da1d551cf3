"""A proposal staff register from paper or from the hearing's meeting carries a place like a
resident's (issues 14 and 13's staff entry): the same fieldset, map and address fallback on
the staff form, the same checks inside the discussion's territory (refused next to the map,
the answers kept), the place shown on the proposal's page and on the map of proposals, and
the audit record naming the member of staff and the place. The territory is the west
district (49.00–49.10 E, 55.75–55.85 N)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from cityhall.core.models import AuditRecord
from cityhall.discussions.models import Proposal
from tests.geo.factories import BuildingFactory, box

pytestmark = pytest.mark.django_db

WEST_SQUARE = box(49.02, 55.76, 49.04, 55.77)
EAST_SQUARE = box(49.15, 55.76, 49.17, 55.77)


def _register(client, discussion, west_home, **place):
    received = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    return client.post(
        f"/discussions/manage/{discussion.pk}/register/",
        {
            "channel": "oral_meeting",
            "received_at": received.strftime("%Y-%m-%dT%H:%M"),
            "full_name": "Сидорова Мария Ивановна",
            "birth_date": "1970-02-03",
            "document_number": "9205 654321",
            "address": west_home.address,
            "kind": "proposal",
            "text": "Переход у школы",
            **place,
        },
    )


def _place_status(page: str) -> str:
    return page.split('id="proposal-place-status"', 1)[1].split("</p>", 1)[0]


def test_the_staff_form_offers_the_residents_place_fieldset_beside_the_persons_address(
    client, discussion, organiser
):
    client.force_login(organiser)
    page = client.get(f"/discussions/manage/{discussion.pk}/register/").content.decode()
    assert 'name="address"' in page  # where the person lives
    assert 'name="place_address"' in page  # the place the proposal is about, without JS
    assert 'id="proposal-place-map"' in page and "leaflet/leaflet.js" in page
    assert 'data-address="id_place_address"' in page and 'data-lat="id_lat"' in page
    assert "Put the point at the centre of the map" in page
    assert "discussions/proposal_place.js" in page
    assert "the place the proposal is about" in page  # the map's name, not "your proposal"


def test_a_paper_proposals_point_is_stored_audited_and_on_the_map_of_proposals(
    client, discussion, organiser, west_home
):
    client.force_login(organiser)
    response = _register(client, discussion, west_home, lat="55.7801", lon="49.0501")
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert (proposal.channel, proposal.registered_by) == ("oral_meeting", organiser)
    assert (proposal.lat, proposal.lon, proposal.area) == (55.7801, 49.0501, None)
    record = AuditRecord.objects.get(action="discussions.proposal_registered")
    assert record.actor_id == organiser.pk
    assert record.after["channel"] == "oral_meeting" and record.after["place"] == "point"
    point = json.dumps([49.0501, 55.7801], separators=(",", ":"))
    assert record.after["place_sha256"] == hashlib.sha256(point.encode()).hexdigest()

    client.logout()
    page = client.get(f"/discussions/{discussion.pk}/proposals/1/").content.decode()
    assert f"A point on the map: {west_home.address}" in page
    the_map = client.get(f"/discussions/{discussion.pk}/proposals/map/").content.decode()
    config = the_map.split('id="proposals-map-config" type="application/json">', 1)[1]
    config = json.loads(config.split("</script>", 1)[0])
    assert [p["url"] for p in config["pins"]] == [f"/discussions/{discussion.pk}/proposals/1/"]


def test_without_javascript_staff_type_the_places_address_apart_from_the_persons(
    client, discussion, organiser, west_home
):
    school = BuildingFactory(street="ул. Школьная", house="12", lat=55.81, lon=49.07)
    client.force_login(organiser)
    unknown = _register(client, discussion, west_home, place_address="Несуществующая 99")
    assert unknown.status_code == 422
    page = unknown.content.decode()
    place_field = page.split('name="place_address"', 1)[0].rsplit('<div class="field', 1)[1]
    assert "We do not know the address" in place_field  # said on the place's field
    assert "Сидорова Мария Ивановна" in page  # the answers kept
    assert not Proposal.objects.exists()
    assert _register(client, discussion, west_home, place_address="Школьная 12").status_code == 302
    proposal = Proposal.objects.select_related("participant").get()
    assert (proposal.lat, proposal.lon) == (school.lat, school.lon)
    assert proposal.participant.address == west_home.address  # the person's stays theirs


def test_a_paper_proposals_area_is_checked_inside_the_territory_like_a_residents(
    client, discussion, organiser, west_home, moderator
):
    client.force_login(organiser)
    outside = _register(client, discussion, west_home, area=json.dumps(EAST_SQUARE))
    assert outside.status_code == 422
    assert "outside the discussion" in _place_status(outside.content.decode())
    both = _register(client, discussion, west_home, area=json.dumps(WEST_SQUARE), lat="55.78")
    assert both.status_code == 422
    assert not Proposal.objects.exists()
    assert _register(client, discussion, west_home, area=json.dumps(WEST_SQUARE)).status_code == 302
    assert Proposal.objects.get().area == WEST_SQUARE
    record = AuditRecord.objects.get(action="discussions.proposal_registered")
    assert record.after["place"] == "area"
    the_map = client.get(f"/discussions/{discussion.pk}/proposals/map/").content.decode()
    assert f"/discussions/{discussion.pk}/proposals/1/" in the_map

    # Only the organiser registers: a moderator of the same council is refused.
    client.force_login(moderator)
    refused = _register(client, discussion, west_home, area=json.dumps(WEST_SQUARE))
    assert refused.status_code == 403
    assert Proposal.objects.count() == 1
