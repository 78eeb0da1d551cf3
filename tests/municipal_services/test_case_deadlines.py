"""Deadlines in working days (business calendar) with suspension and extension, and the
overdue dashboard."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cityhall.core.errors import Forbidden
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application

from .factories import Department, published_service, submitted_application

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")


def test_the_legal_term_counts_working_days_only():
    dept = Department()
    service = published_service(dept)  # 10 working days
    with time_machine.travel(dt.datetime(2026, 12, 25, 11, 0, tzinfo=MSK), tick=False):
        application = submitted_application(service)
    due = application.due_at.astimezone(MSK)
    # Fri 25 Dec + 10 working days: 28–30 Dec (31 Dec is a transferred day off), the New
    # Year holidays 1–8 January skipped, then 11–15 and 18–19 January.
    assert due.date() == dt.date(2027, 1, 19)
    assert due.time() == dt.time(18, 0)


def test_suspension_moves_the_deadline_and_extension_adds_days():
    dept = Department()
    service = published_service(dept)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=MSK), tick=False):
        application = submitted_application(service)
        services.accept_application(application=application, actor=dept.operator)
        services.suspend_application(
            application=application, actor=dept.expert, reason="Waiting for the land registry"
        )
    application.refresh_from_db()
    first_due = application.due_at
    with time_machine.travel(dt.datetime(2026, 3, 6, 10, 0, tzinfo=MSK), tick=False):
        assert not application.is_overdue
        services.resume_application(application=application, actor=dept.expert)
    application.refresh_from_db()
    assert (application.due_at - first_due).days >= 4  # four working days suspended
    with pytest.raises(Forbidden):
        services.extend_application(application=application, actor=dept.expert, days=5, reason="x")
    services.extend_application(
        application=application, actor=dept.decider, days=5, reason="Complex case"
    )
    extended = Application.objects.get(pk=application.pk).due_at
    assert extended > application.due_at


def test_the_overdue_dashboard_lists_late_cases(client):
    dept = Department()
    service = published_service(dept)
    with time_machine.travel(dt.datetime(2026, 1, 12, 10, 0, tzinfo=MSK), tick=False):
        late = submitted_application(service)
    on_time = submitted_application(service)
    client.force_login(dept.operator)
    page = client.get("/services/desk/?overdue=1")
    html = page.content.decode()
    assert page.status_code == 200
    assert late.number in html and on_time.number not in html
    assert "1 overdue application" in html


def test_a_head_sees_the_desks_of_every_department_below(client):
    from tests.factories import MembershipFactory, OrganisationFactory

    council = OrganisationFactory(name="Council")
    executive = OrganisationFactory(name="Executive Committee", parent=council)
    dept = Department()
    dept.org.parent = executive
    dept.org.save()
    application = submitted_application(published_service(dept))
    head = MembershipFactory(organisation=council, role="decision_maker").user
    client.force_login(head)
    assert application.number in client.get("/services/desk/").content.decode()
    outsider = Department("Other").decider
    client.force_login(outsider)
    assert application.number not in client.get("/services/desk/").content.decode()
