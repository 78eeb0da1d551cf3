"""``cityhall create_open311_key NAME``: issue an Open311 api_key for a client system."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.errors import InvalidInput
from cityhall.service_requests.services import create_open311_client


class Command(BaseCommand):
    help = "Issue an Open311 api_key for a client system and print it (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        try:
            _client, key = create_open311_client(name=name, actor=None)
        except InvalidInput as exc:
            raise CommandError("; ".join(str(m) for v in exc.fields.values() for m in v)) from exc
        self.stdout.write(key)
