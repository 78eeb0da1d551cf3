"""``cityhall deliver_notifications``: one sweep of the notification outbox, now."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cityhall.notifications import services


class Command(BaseCommand):
    help = "Deliver every due notification (queued or waiting for a retry) once."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=1000, help="at most this many messages")

    def handle(self, *args, limit: int, **options):
        count = services.deliver_due(limit=limit)
        self.stdout.write(f"{count} notification(s) tried")
