"""Background jobs of notifications (huey). Tasks take ids and call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from cityhall.core import jobs

from . import services


@db_task()
def deliver_messages(ids: list[int]) -> int:
    """Deliver freshly queued messages (scheduled on commit by ``notify``)."""
    return services.deliver_messages(ids)


@db_periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Every minute: retries that are due, and messages whose scheduling was lost."""
    return services.deliver_due()


jobs.declare("notifications.deliver_messages", deliver_messages)
