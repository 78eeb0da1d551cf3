"""The demo city: nine published services (the "build an office" situation), applications in
every stage, requests, consultations and registry records; loading twice changes nothing."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command

from cityhall.municipal_services.definition import problems_of
from cityhall.municipal_services.demo_catalogue import services as demo_services
from cityhall.municipal_services.models import (
    Application,
    Consultation,
    LifeSituationCase,
    RegistryRecord,
    ServiceVersion,
    StandardRequest,
)
from cityhall.service_requests import demo as requests_demo

pytestmark = pytest.mark.django_db


def test_every_demo_definition_would_publish():
    for data in demo_services():
        assert problems_of(data["definition"]) == {}, data["code"]


def test_the_demo_has_cases_in_every_stage_and_loads_idempotently(monkeypatch):
    # The resident requests' demo volume (100,000) is checked by its own tests; here it only
    # costs time (the whole test took 90 s with it).
    monkeypatch.setattr(requests_demo, "REQUESTS", 300)
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert ServiceVersion.objects.filter(status="published").count() == 9
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(Application.Status.values)
    case = LifeSituationCase.objects.get()
    assert (case.version.number, case.version.status) == (1, "published")
    assert case.version.steps.count() == 9
    assert case.applications.count() == 9
    assert case.applications.values("department").distinct().count() == 5
    assert StandardRequest.objects.exists() and Consultation.objects.count() == 15
    assert RegistryRecord.objects.filter(lat__isnull=False).count() >= 40
    counts = (Application.objects.count(), RegistryRecord.objects.count())
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert (Application.objects.count(), RegistryRecord.objects.count()) == counts
    assert case.situation.versions.count() == 1  # loaded again: still its one version 1
    # The services staff sign in with a second factor like the rest of the demo staff
    # (issue 16.22): `cityhall totp_code services_expert` prints a code.
    for username in ("services_operator", "services_expert", "services_expert2"):
        out = io.StringIO()
        call_command("totp_code", username, stdout=out)
        assert re.fullmatch(r"\d{6}", out.getvalue().strip()), username
