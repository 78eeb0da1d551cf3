"""Two operators accept the same application at once: the row lock lets one win; the other is
told the application has moved on (409), and the history has one acceptance."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from cityhall.core.errors import Conflict
from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application
from tests.factories import MembershipFactory

from .factories import Department, published_service, submitted_application


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_one_wins():
    dept = Department()
    second = MembershipFactory(organisation=dept.org, role="operator").user
    application = submitted_application(published_service(dept))
    results: list[str] = []
    start = threading.Barrier(2)

    def accept(user):
        try:
            start.wait()
            services.accept_application(application=application, actor=user)
            results.append("ok")
        except Conflict:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (dept.operator, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict", "ok"]
    application.refresh_from_db()
    assert application.status == Application.Status.CONSIDERATION
    assert application.events.filter(kind="accepted").count() == 1
