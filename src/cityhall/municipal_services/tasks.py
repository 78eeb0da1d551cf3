"""Scheduled work for municipal services (huey): interdepartmental requests past their answer
term become expired. Tasks call services; they never change state themselves."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*/10"))
def expire_standard_requests_task() -> int:
    return services.expire_standard_requests()
