"""The legal term of an application in working days (the business calendar, never raw days).

Shared by registration (:mod:`.intake`: the deadline of a new case, a returned case resuming
its deadline) and by the staff's term actions (:mod:`.services.legal_term`). No queries here:
the caller saves the application.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cityhall.core.selectors import business_calendar

from .models import Application

__all__ = ["due_at", "lift_suspension", "stage_term", "stage_due_at"]


def due_at(start: dt.datetime, days: int, *, calendar_days: bool = False) -> dt.datetime:
    """The end of the working day ``days`` working days after ``start``: a case's deadline.

    A service whose regulation counts its term in calendar days (``calendar_days``) ends
    ``days`` days after ``start``; an end on a day off moves to the next working day (Civil
    Code art. 193)."""
    calendar = business_calendar()
    if calendar_days:
        day = timezone.localtime(start).date() + dt.timedelta(days=days)
        if not calendar.is_working_day(day):
            day = calendar.next_working_day(day)
        return calendar.end_of_working_day(day)
    day = calendar.add_working_days(timezone.localtime(start).date(), days)
    return calendar.end_of_working_day(day)


def stage_term(workflow: dict | None, stage: str) -> tuple[int, bool] | None:
    """A stage's own term from the definition (``workflow.stages.<stage>.term_days`` and
    ``term_in``): (days, counted in calendar days); None when the stage has none."""
    spec = ((workflow or {}).get("stages") or {}).get(stage)
    days = spec.get("term_days") if isinstance(spec, dict) else None
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        return None
    return days, spec.get("term_in") == "calendar"


def stage_due_at(application: Application, stage: str) -> dt.datetime | None:
    """When the stage the case is at must be done: its term from the moment the case entered
    it, in working or calendar days as the service's designer chose (:func:`due_at`)."""
    term = stage_term(application.version.workflow, stage) if stage else None
    if term is None or application.stage_started_at is None:
        return None
    return due_at(application.stage_started_at, term[0], calendar_days=term[1])


def lift_suspension(application: Application, now: dt.datetime) -> int:
    """End a suspension: the deadline moves by the working days it lasted."""
    if application.suspended_at is None:
        return 0
    calendar = business_calendar()
    days = calendar.working_days_between(
        timezone.localtime(application.suspended_at).date(), timezone.localtime(now).date()
    )
    if application.due_at and days:
        day = calendar.add_working_days(timezone.localtime(application.due_at).date(), days)
        application.due_at = calendar.end_of_working_day(day)
    application.suspended_at = None
    return days
