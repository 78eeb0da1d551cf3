"""Issue 16 item 18: the statistics of municipal services — "Overdue now" counts every open
overdue application (as the desk does) whatever the period; the default period includes
today; refusals, automatic decisions and stage times by department and by service."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db

AUTO = {"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120}


def _overdue(application: Application, *, submitted_days_ago: int) -> None:
    now = timezone.now()
    Application.objects.filter(pk=application.pk).update(
        submitted_at=now - dt.timedelta(days=submitted_days_ago),
        due_at=now - dt.timedelta(days=1),
    )


def test_overdue_now_counts_every_open_overdue_application_like_the_desk(client):
    dept = Department()
    service = published_service(dept)
    old = submitted_application(service)
    recent = submitted_application(service)
    _overdue(old, submitted_days_ago=90)  # long before the period shown
    _overdue(recent, submitted_days_ago=2)
    client.force_login(dept.decider)
    desk = client.get("/services/desk/", {"overdue": "1"}).content.decode()
    assert old.number in desk and recent.number in desk
    page = client.get("/services/statistics/").content.decode()
    assert "Overdue now: 2" in page
    # A period that holds neither application still shows the desk's snapshot.
    page = client.get("/services/statistics/", {"start": "2020-01-01", "end": "2020-01-31"})
    assert "Overdue now: 2" in page.content.decode()
    assert (
        "Overdue now,Applications,2"
        in client.get("/services/statistics/export.csv").content.decode()
    )


def test_the_default_period_includes_today(client):
    dept = Department()
    service = published_service(dept)
    today = submitted_application(service)
    late_tonight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(23, 59)))
    Application.objects.filter(pk=today.pk).update(submitted_at=late_tonight)
    month_ago = submitted_application(service)
    Application.objects.filter(pk=month_ago.pk).update(
        submitted_at=timezone.now() - dt.timedelta(days=45)
    )
    client.force_login(dept.decider)
    html = client.get("/services/statistics/").content.decode()
    assert "Applications: <strong>1</strong>" in html
    assert f'name="end" value="{timezone.localdate().isoformat()}"' in html
    end = timezone.localdate().isoformat()
    html = client.get("/services/statistics/", {"start": end, "end": end}).content.decode()
    assert "Applications: <strong>1</strong>" in html


def _refused(dept: Department, service) -> Application:
    application = submitted_application(service)
    services.accept_application(application=application, actor=dept.operator)
    services.send_to_decision(application=application, actor=dept.expert, conclusion="no")
    services.decide(
        application=application, actor=dept.decider, outcome="refuse", reasons=["Охранная зона"]
    )
    return application


def test_refusals_automatic_decisions_and_stage_times_by_department_and_service(client):
    planning, roads = Department(), Department("Department of Roads")
    permit = published_service(planning)
    excavation = published_service(roads, code="excavation")
    _refused(planning, permit)
    auto = submitted_application(permit, answers=AUTO)
    services.accept_application(application=auto, actor=planning.operator)
    auto.refresh_from_db()
    assert auto.status == Application.Status.RESULT_ISSUED
    _refused(roads, excavation)
    _refused(roads, excavation)
    submitted_application(excavation)  # not decided yet
    admin = Department("Executive committee")
    planning.org.parent = admin.org
    roads.org.parent = admin.org
    planning.org.save()
    roads.org.save()
    client.force_login(admin.decider)
    response = client.get("/services/statistics/")
    html = response.content.decode()
    assert "Automatic decisions: 1 / 4 (25.0 %)" in html
    # By department: planning decided 2 (one refused, one automatic), roads refused both.
    assert (
        '<th scope="row">Department of Urban Planning Permits</th><td>2</td><td>2</td>'
        "<td>1</td><td>50.0</td><td>1</td><td>50.0</td>" in html
    )
    assert (
        '<th scope="row">Department of Roads</th><td>3</td><td>2</td><td>2</td><td>100.0</td>'
        "<td>0</td><td>0.0</td>" in html
    )
    assert "Refusals and automatic decisions by service" in html
    assert "Average time per stage by department, hours" in html
    rows = list(
        csv.reader(io.StringIO(client.get("/services/statistics/export.csv").content.decode()))
    )
    assert ["Refusals by department", "Department of Roads", "2"] in rows
    assert ["Decisions", "Automatic, %", "25.0"] in rows
    stage_rows = [r for r in rows if r[0] == "Hours per stage by department"]
    assert any(r[1].startswith("Department of Roads: ") for r in stage_rows)
    assert any(r[1].startswith("Department of Urban Planning Permits: ") for r in stage_rows)
