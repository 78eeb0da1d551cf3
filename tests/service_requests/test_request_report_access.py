"""Issue 16 item 9: the report constructor for everyone — each organisation's staff see their
own figures (never 403), the public sees the city-wide ones, the committee's overseers the
whole city; filters by organisation, organisation type and suburb."""

from __future__ import annotations

from django.urls import reverse

from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest
from tests.factories import MembershipFactory

from .factories import submit


def _data(world):
    leak = submit(world)  # UK Baumana (managing organisation), the southern suburb
    heating = submit(world, category=world.heating)  # Teploset (resource supplier)
    far = submit(world, building=world.orphan_building)  # the east, no suburb
    services.rebuild_daily_stats()
    return leak, heating, far


def _json(client, name="service_requests:reports_export", **query):
    response = client.get(reverse(name, args=["json"]), query)
    assert response.status_code == 200
    return response.json()


def _totals(data) -> dict[str, int]:
    return {row["slice"]: row["requests"] for row in data["rows"]}


def test_managing_organisation_staff_see_their_own_figures(client, world):
    leak, heating, _far = _data(world)
    assert leak.organisation_id == world.manager.pk
    assert heating.organisation_id == world.supplier.pk
    client.force_login(world.executor)
    page = client.get(reverse("service_requests:reports"), {"by": "organisation"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Requests: reports of my organisations" in html
    assert "UK Baumana" in html and "Teploset" not in html
    assert _totals(_json(client, by="organisation")) == {"UK Baumana": 1}
    # Asking for another organisation's figures gives nothing, not their figures.
    assert _json(client, by="organisation", organisation=world.supplier.pk)["rows"] == []
    # Their workspace leads there.
    workspace = client.get(reverse("portal:workspace")).content.decode()
    assert reverse("service_requests:reports") in workspace


def test_head_of_a_sub_organisation_sees_it_within_the_parents_figures(client, world):
    _data(world)
    boss = MembershipFactory(organisation=world.manager, role="administrator").user
    client.force_login(boss)
    assert _totals(_json(client, by="organisation")) == {"UK Baumana": 1}


def test_the_public_sees_the_city_wide_figures(client, world):
    _data(world)
    page = client.get(reverse("service_requests:public_reports"), {"by": "organisation"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "UK Baumana" in html and "Teploset" in html
    assert "Recompute today" not in html  # only staff refresh
    data = _json(client, "service_requests:public_reports_export", by="district")
    assert sum(_totals(data).values()) == 3
    # A resident who opens the staff address is sent to the public report.
    client.force_login(world.resident)
    response = client.get(reverse("service_requests:reports"), {"by": "category"})
    assert response.status_code == 302
    assert response["Location"] == reverse("service_requests:public_reports") + "?by=category"


def test_the_committees_dispatcher_sees_the_whole_city(client, world):
    _data(world)
    client.force_login(world.dispatcher)
    html = client.get(reverse("service_requests:reports")).content.decode()
    assert "Requests: reports</h1>" in html
    assert sum(_totals(_json(client, by="channel")).values()) == 3


def test_filters_by_organisation_type_suburb_and_organisation(client, world):
    _data(world)
    client.force_login(world.dispatcher)
    by_type = _totals(_json(client, by="organisation_type"))
    assert by_type["Managing organisation"] == 1 and by_type["Resource supplier"] == 1
    assert sum(by_type.values()) == 3
    suppliers = _json(client, by="category", organisation_type="resource_supplier")
    assert _totals(suppliers) == {"Category heating": 1}
    south = _json(client, by="category", suburb=world.city.west_south.pk)
    assert _totals(south) == {"Category leak": 1, "Category heating": 1}
    one = _json(client, by="category", organisation=world.manager.pk)
    assert _totals(one) == {"Category leak": 1}
    html = client.get(
        reverse("service_requests:reports"), {"suburb": world.city.west_south.pk}
    ).content.decode()
    assert 'name="suburb"' in html and 'name="organisation_type"' in html
    assert f'<option value="{world.city.west_south.pk}" selected>' in html
    assert ServiceRequest.objects.count() == 3
