"""Scheduled generation of the open data sets (huey), and the job the staff page starts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cityhall.core import jobs
from cityhall.core.errors import Conflict
from cityhall.core.opendata import datasets

from .generation import generate


@db_task()
def generate_task(code: str, user_id: int | None = None) -> str:
    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    try:
        return generate(code, actor=actor).state
    except Conflict:  # already being generated: that generation's result stands
        return "running"


jobs.declare("opendata.generate", generate_task)


@db_periodic_task(crontab(minute="30", hour="2"))
def generate_due_sets() -> int:
    """Every night at 02:30: the daily sets; on Mondays the weekly ones; on the 1st the
    monthly ones. Each set in turn, in one worker (the big ones stream in bounded memory)."""
    from django.utils import timezone

    today = timezone.localdate()
    started = 0
    for found in datasets():
        due = (
            found.frequency == "daily"
            or (found.frequency == "weekly" and today.weekday() == 0)
            or (found.frequency == "monthly" and today.day == 1)
        )
        if due:
            generate_task.call_local(found.code)
            started += 1
    return started
