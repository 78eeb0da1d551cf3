"""``cityhall sync_notification_templates``: copy the declared default wording into the database."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cityhall.notifications import services


class Command(BaseCommand):
    help = (
        "Create or update notification templates from the events the apps declare. "
        "Templates edited by officials are kept."
    )

    def handle(self, *args, **options):
        report = services.sync_templates()
        self.stdout.write(
            f"templates: {report.created} created, {report.updated} updated, "
            f"{report.kept_edited} edited by officials kept"
        )
