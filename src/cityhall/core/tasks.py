"""Scheduled work of the shared kernel (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import audit_checkpoints, inbox, jobs


@db_periodic_task(crontab(minute="*"))
def drain_inbox_task() -> int:
    """Safety net for the inbox worker: registers whatever is still pending (at most 50 s);
    forgets expired repeat keys."""
    inbox.prune_claims()
    return inbox.drain(max_batches=50)


@db_periodic_task(crontab(minute="5", hour="0"))
def audit_checkpoint_task() -> int:
    """Once a day: sign and store the audit chain's head (ADR 0010). A chain that no longer
    verifies is refused and logged as an error (the task fails: the operator must look)."""
    return audit_checkpoints.take_checkpoint().seq


@db_task(retries=2, retry_delay=60)
def make_thumbnail_task(stored_file_id: str) -> bool:
    from .thumbnails import make_thumbnail

    return make_thumbnail(stored_file_id=stored_file_id)


jobs.declare("core.make_thumbnail", make_thumbnail_task)
