"""Scheduled work for municipal services (huey): interdepartmental requests past their answer
term become expired; widget handoffs are purged a day after they expire. Tasks call services;
they never change state themselves."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services, widget


@db_periodic_task(crontab(minute="*/10"))
def expire_standard_requests_task() -> int:
    return services.expire_standard_requests()


@db_periodic_task(crontab(minute="23"))
def purge_widget_handoffs_task() -> int:
    return widget.purge_expired_handoffs()
