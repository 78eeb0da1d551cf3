"""The demo loader: deterministic, every state present, loading twice changes nothing."""

from __future__ import annotations

import io

from django.core.management import call_command

from cityhall.service_requests import demo
from cityhall.service_requests.models import (
    BuildingManagement,
    DailyStat,
    OrganisationRating,
    ServiceRequest,
    Status,
)


def test_demo_loads_every_state_once(db, monkeypatch):
    monkeypatch.setattr(demo, "REQUESTS", 3000)
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    from cityhall.geo.models import Building

    assert BuildingManagement.objects.count() == Building.objects.count() > 0
    count = ServiceRequest.objects.count()
    assert count >= 3000
    states = set(ServiceRequest.objects.values_list("status", flat=True))
    assert states == set(Status.values)
    assert DailyStat.objects.exists() and OrganisationRating.objects.filter(votes__gt=0).exists()
    numbers = list(ServiceRequest.objects.order_by("pk").values_list("number", flat=True)[:50])
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert ServiceRequest.objects.count() == count
    assert (
        list(ServiceRequest.objects.order_by("pk").values_list("number", flat=True)[:50]) == numbers
    )
