"""The demo loader: deterministic, every state present, loading twice changes nothing."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import timezone

from cityhall.core import audit
from cityhall.service_requests import demo, selectors, services
from cityhall.service_requests.models import (
    BuildingManagement,
    Category,
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
    lift = Category.objects.get(code="lift_stuck")
    assert services.stage_limits(lift.current_version_id)["new"] == (15, "calendar_minutes")
    assert "112" in lift.guidance_en and lift.guidance_ru and lift.guidance_tt
    assert selectors.dispatch_line()
    from cityhall.service_requests.models import Photo

    kinds = set(Photo.objects.values_list("kind", flat=True))
    assert kinds == {"intake", "report"}  # the resident's photo and the executor's "after"
    assert all(p.stored.file.storage.exists(p.stored.file.name) for p in Photo.objects.all())
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert ServiceRequest.objects.count() == count
    assert (
        list(ServiceRequest.objects.order_by("pk").values_list("number", flat=True)[:50]) == numbers
    )


def test_demo_history_is_in_the_audit_trail_and_numbers_continue(db, monkeypatch):
    """Issue 5: a demo request's history can be checked against the tamper-evident trail, and
    demo numbers are gap-free per year so that live requests continue the year's sequence."""
    monkeypatch.setattr(demo, "REQUESTS", 2000)
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit trail intact" in out.getvalue()

    generated = ServiceRequest.objects.filter(public_token__startswith="demo")
    reopened = generated.filter(status=Status.CONFIRMED, reopen_count=1).first()
    assert reopened is not None
    for request in (reopened, generated.filter(status=Status.MERGED).first()):
        moves = list(request.history.order_by("created_at", "pk"))
        records = list(audit.history_of(request).order_by("seq"))
        assert [r.action for r in records] == ["service_requests.submitted"] + [
            f"service_requests.{m.to_status}" for m in moves[1:]
        ]
        assert records[0].after["number"] == request.number
        assert records[0].after["status"] == moves[0].to_status
        for previous, record in zip(records[1:], records[2:], strict=False):
            assert record.before == previous.after  # each record starts where the last ended
        assert records[-1].after == audit.snapshot(request, services.SNAPSHOT_FIELDS)
    assert [r.message for r in audit.history_of(reopened)].count(demo.REOPEN_REASON) == 1

    by_year: dict[str, list[int]] = {}
    for number in generated.order_by("created_at", "pk").values_list("number", flat=True):
        yy, value = number.split("-")
        by_year.setdefault(yy, []).append(int(value))
    for yy, values in by_year.items():
        assert values == list(range(1, len(values) + 1)), yy
    live = ServiceRequest.objects.exclude(public_token__startswith="demo").order_by("pk").first()
    yy = f"{timezone.localtime(live.created_at):%y}"
    assert live.number == f"{yy}-{len(by_year[yy]) + 1:07d}"
