"""Emergencies (issue 16, item 3): guidance and the dispatch line are shown before the form, and
an emergency stage's limit may be given in minutes."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from cityhall.core.calendar import WorkingCalendar
from cityhall.service_requests.deadlines import due_time
from cityhall.service_requests.models import Category, DispatchCentre

from .factories import make_category, submit


def test_the_report_form_shows_emergency_guidance_and_the_dispatch_line_first(client, world):
    DispatchCentre.objects.update(phone="+7 843 555-01-12")
    Category.objects.filter(pk=world.lift.pk).update(
        guidance_en="Do not try to open the lift doors yourself.",
        guidance_ru="Не открывайте двери лифта сами.",
    )
    body = client.get(reverse("service_requests:new")).content.decode()
    guidance = body.index("Do not try to open the lift doors yourself.")
    assert 'href="tel:+78435550112"' in body and 'href="tel:112"' in body
    assert guidance < body.index('<form method="post"')
    assert "Category leak</dt>" not in body  # only emergency categories
    russian = client.get(reverse("service_requests:new"), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Не открывайте двери лифта сами." in russian.content.decode()
    DispatchCentre.objects.update(phone="")
    without_line = client.get(reverse("service_requests:new")).content.decode()
    assert 'href="tel:112"' in without_line and "tel:+7" not in without_line


def test_an_emergency_stage_limit_may_be_given_in_minutes(world):
    minutes = {
        "new": (15, "calendar_minutes"),
        "routed": (15, "calendar_minutes"),
        "accepted": (45, "calendar_minutes"),
        "in_work": (4, "calendar_hours"),
    }
    stuck = make_category(
        "stuck",
        emergency=True,
        attributes=world.lift.current_version.attributes,
        limits=minutes,
    )
    request = submit(world, category=stuck, attributes={"people_inside": "yes"})
    assert (request.stage_due_at - request.created_at) == dt.timedelta(minutes=15)


def test_due_time_in_calendar_minutes_runs_around_the_clock():
    start = dt.datetime(2026, 1, 1, 23, 50, tzinfo=dt.UTC)  # a holiday, at night
    calendar = WorkingCalendar()
    assert due_time(start=start, amount=15, unit="calendar_minutes", calendar=calendar) == (
        start + dt.timedelta(minutes=15)
    )
