"""Background jobs of accounts (huey). Tasks take ids and call services."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from cityhall.core import jobs

from . import services


@db_task()
def apply_register_import(import_id: int) -> int:
    """Match and apply an imported verification register (progress shown on its page)."""
    return services.apply_register_import(import_id=import_id).pk


jobs.declare("accounts.apply_register_import", apply_register_import)
