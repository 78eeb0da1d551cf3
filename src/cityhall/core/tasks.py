"""Scheduled work of the shared kernel (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import inbox


@db_periodic_task(crontab(minute="*"))
def drain_inbox_task() -> int:
    """Safety net for the inbox worker: registers whatever is still pending (at most 50 s);
    forgets expired repeat keys."""
    inbox.prune_claims()
    return inbox.drain(max_batches=50)
