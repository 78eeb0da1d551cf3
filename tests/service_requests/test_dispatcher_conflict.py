"""Two dispatchers act on one request at once: one wins, the other is told who and what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cityhall.core.errors import Conflict
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest, Status
from tests.factories import OrganisationFactory

from .factories import submit


def test_second_dispatcher_gets_409_naming_the_first(client, world):
    request = submit(world, building=world.orphan_building)
    assert request.status == Status.NEW
    other = OrganisationFactory(name="Contractor Lift", type="contractor")
    seen_version = request.version
    client.force_login(world.dispatcher)
    first = client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"to": "routed", "organisation": world.manager.pk, "version": seen_version},
    )
    assert first.status_code == 302
    client.force_login(world.second_dispatcher)
    second = client.post(
        reverse("service_requests:staff_action", args=[request.pk]),
        {"to": "routed", "organisation": other.pk, "version": seen_version},
    )
    assert second.status_code == 409
    body = second.content.decode()
    assert str(world.dispatcher) in body and "changed request" in body
    request.refresh_from_db()
    assert request.organisation == world.manager
    assert request.history.count() == 2


def test_api_answers_409_conflict(client, world):
    request = submit(world, building=world.orphan_building)
    services.transition(
        request=request,
        actor=world.dispatcher,
        to="routed",
        organisation=world.manager,
        expected_version=request.version,
    )
    client.force_login(world.second_dispatcher)
    response = client.post(
        f"/api/v1/requests/{request.pk}/transition",
        {"to": "rejected", "reason": "spam", "version": request.version},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_concurrent_transitions_in_threads_one_wins(world, transactional_db):
    """Real concurrency on the database: both threads saw version 1."""
    import threading

    from django.db import connection

    request = submit(world, building=world.orphan_building)
    results: list[str] = []

    def act(user):
        try:
            services.transition(
                request=request.pk,
                actor=user,
                to="rejected",
                reason=f"by {user}",
                expected_version=1,
            )
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(u,)) for u in (world.dispatcher, world.second_dispatcher)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert ServiceRequest.objects.get(pk=request.pk).version == 2


def test_without_expected_version_a_repeat_is_still_refused(world):
    request = submit(world)
    services.transition(request=request, actor=world.executor, to="accepted")
    with pytest.raises(Conflict):
        services.transition(request=request, actor=world.executor, to="accepted")
