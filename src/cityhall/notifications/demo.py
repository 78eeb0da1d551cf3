"""Demo data for notifications: the templates every declared event needs (no logins)."""

from __future__ import annotations

from cityhall.core.demo import DemoLogin

from . import services


def load(stdout) -> list[DemoLogin]:
    report = services.sync_templates()
    stdout.write(f"  notification templates: {report.created} created, {report.updated} updated")
    return []
