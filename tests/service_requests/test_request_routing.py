"""Routing: address or point → building → category → exactly one organisation, or the
committee's dispatcher queue (never nowhere)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cityhall.service_requests.models import Channel, ResponsibilityArea, Stage, Status
from cityhall.service_requests.routing import RoutingFacts, decide

from .factories import submit

ids = st.one_of(st.none(), st.integers(min_value=1, max_value=10**6))


@given(
    responsible=st.sampled_from(["managing_organisation", "resource_supplier", "contractor"]),
    building=ids,
    manager=ids,
    building_area=ids,
    district_area=ids,
)
def test_decision_is_one_organisation_or_the_dispatcher(
    responsible, building, manager, building_area, district_area
):
    facts = RoutingFacts(responsible, building, manager, building_area, district_area)
    decision = decide(facts)
    candidates = (
        {manager} if responsible == "managing_organisation" else {building_area, district_area}
    )
    if building is None:
        assert decision.to_dispatcher
    elif decision.organisation_id is None:
        assert candidates == {None}
    else:
        assert decision.organisation_id in candidates
    if responsible != "managing_organisation" and building and building_area:
        assert decision.organisation_id == building_area  # the building's own row wins


def test_leak_goes_to_the_buildings_managing_organisation(world):
    request = submit(world)
    assert request.organisation == world.manager
    assert request.status == Status.ROUTED
    assert request.history.get().reason == "building_manager"


def test_heating_goes_to_the_supplier_of_the_district(world):
    request = submit(world, category=world.heating)
    assert request.organisation == world.supplier
    assert request.district == world.city.west


def test_a_building_level_area_wins_over_the_district(world):
    from tests.factories import OrganisationFactory

    own = OrganisationFactory(name="Building boiler house", type="resource_supplier")
    ResponsibilityArea.objects.create(
        organisation=own, category=world.heating, building=world.other_building
    )
    assert submit(world, category=world.heating, building=world.other_building).organisation == own
    assert submit(world, category=world.heating).organisation == world.supplier


def test_unroutable_request_lands_in_the_dispatcher_queue(world):
    # The east district has no supplier, and this building has no managing organisation.
    for category in (world.heating, world.leak):
        request = submit(world, category=category, building=world.orphan_building)
        assert request.status == Status.NEW
        assert request.organisation is None
        stage = Stage.objects.get(request=request, finished_at__isnull=True)
        assert stage.stage == Status.NEW and stage.due_at is not None


def test_a_point_between_buildings_is_kept_and_goes_to_the_dispatcher(world):
    request = submit(
        world, building=None, lat="55.80", lon="49.09", channel=Channel.OPEN311, author=None
    )
    assert request.building is None
    assert request.status == Status.NEW
    assert request.district == world.city.west
    assert (request.lat, request.lon) == (55.80, 49.09)


def test_a_point_at_a_building_routes_through_it(world):
    request = submit(world, building=None, lat=55.78001, lon=49.05001)
    assert request.building == world.building
    assert request.organisation == world.manager
