"""Scheduled work for resident requests (huey): the overdue sweep, escalation notices,
ratings and the reports' roll-up. Tasks take ids, never objects, and call services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cityhall.core import jobs

from . import services


@db_periodic_task(crontab(minute="*/5"))
def sweep_overdue_task() -> dict[str, int]:
    return services.sweep_overdue()


@db_task()
def send_escalation_notices_task() -> int:
    return services.send_escalation_notices()


@db_periodic_task(crontab(minute="5", hour="*"))
def auto_confirm_task() -> int:
    return services.auto_confirm()


@db_periodic_task(crontab(minute="17", hour="*/3"))
def recompute_ratings_task() -> int:
    return services.recompute_ratings()


@db_periodic_task(crontab(minute="*/15"))
def refresh_daily_stats_task() -> int:
    """Today and yesterday change all the time; older days are rebuilt nightly."""
    today = timezone.localdate()
    return services.rebuild_daily_stats(days=[today - dt.timedelta(days=1), today])


@db_periodic_task(crontab(minute="40", hour="2"))
def rebuild_daily_stats_task() -> int:
    return services.rebuild_daily_stats()


jobs.declare("service_requests.send_escalation_notices", send_escalation_notices_task)


@db_task(retries=1, retry_delay=120)
def fetch_media_url_task(request_id: int, url: str, public: bool = False) -> bool:
    from .services.media_urls import attach_photo_from_url

    return attach_photo_from_url(request_id=request_id, url=url, public=public)


jobs.declare("service_requests.fetch_media_url", fetch_media_url_task)
