"""Each stage's own term in working or calendar days (issue 15): chosen by the administrator
on the designer's "Stages and term" page, computed with the business calendar from the moment
the case entered the stage (holidays skipped for working days; a calendar-day end on a day off
moves to the next working day), shown to staff on the case page."""

from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cityhall.municipal_services import services
from tests.factories import MembershipFactory, OrganisationFactory

from .designer_steps import BASE, build_office_permit, land_registry, ok, revision
from .factories import BASE_DEFINITION, Department, published_service, submitted_application

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def test_the_administrator_chooses_each_stages_term_in_working_or_calendar_days(client):
    dept = Department()
    admin = MembershipFactory(organisation=dept.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    client.force_login(admin)
    service = build_office_permit(client, dept.org)
    url = f"{BASE}/{service.code}/v1/stages/"
    form = {
        "revision": revision(client, url),
        "term_days": "10",
        "term_in": "working",
        "identity": "account",
        "result_types": ["document"],
        "roles_acceptance": ["operator"],
        "term_days_acceptance": "",
        "term_in_acceptance": "working",
        "roles_consideration": ["expert"],
        "term_days_consideration": "5",
        "term_in_consideration": "working",
        "roles_decision": ["decision_maker"],
        "term_days_decision": "4",
        "term_in_decision": "calendar",
    }
    ok(client.post(url, form))
    stages = service.versions.get().workflow["stages"]
    assert stages["acceptance"] == {"roles": ["operator"]}
    assert stages["consideration"] == {"roles": ["expert"], "term_days": 5, "term_in": "working"}
    assert stages["decision"]["term_days"] == 4 and stages["decision"]["term_in"] == "calendar"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Term of the stage" in page and 'name="term_in_decision"' in page
    form.update(revision=revision(client, url), term_days_decision="0")
    response = client.post(url, form)
    assert response.status_code == 200  # refused beside the field, nothing saved
    assert service.versions.get().workflow["stages"]["decision"]["term_days"] == 4


def test_stage_deadlines_skip_holidays_in_working_days_and_move_off_a_holiday_in_calendar_days(
    client,
):
    dept = Department()
    workflow = copy.deepcopy(BASE_DEFINITION["workflow"])
    workflow["stages"]["consideration"].update(term_days=5, term_in="working")
    workflow["stages"]["decision"].update(term_days=4, term_in="calendar")
    service = published_service(dept, workflow=workflow)
    with time_machine.travel(dt.datetime(2026, 12, 29, 10, 0, tzinfo=MSK), tick=False):
        application = submitted_application(service)
        services.accept_application(application=application, actor=dept.operator)
    client.force_login(dept.expert)
    page = client.get(f"/services/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    # Tue 29 Dec + 5 working days: 30 Dec, then (31 Dec and the New Year holidays to 10 Jan
    # off) 11–14 January
    assert "14.01.2027" in page.content.decode().split('id="stage-due"', 1)[1][:200]
    with time_machine.travel(dt.datetime(2027, 2, 19, 10, 0, tzinfo=MSK), tick=False):
        services.send_to_decision(application=application, actor=dept.expert, conclusion="Да")
    client.force_login(dept.decider)
    page = client.get(f"/services/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    # Fri 19 Feb + 4 calendar days is Tue 23 Feb, a public holiday: the next working day
    assert "24.02.2027" in page.content.decode().split('id="stage-due"', 1)[1][:200]
