"""``cityhall import_request_catalogue FILE``: create or update request categories from JSON
made by ``export_request_catalogue``. Changed questions or limits become a new version."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.errors import InvalidInput
from cityhall.service_requests.services import import_catalogue


class Command(BaseCommand):
    help = "Import the request catalogue from JSON (new versions where questions/limits changed)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        if not isinstance(data, list):
            raise CommandError("the file must hold a JSON list of categories")
        try:
            counts = import_catalogue(data=data, actor=None)
        except InvalidInput as exc:
            lines = [f"{k}: {m}" for k, v in exc.fields.items() for m in v]
            raise CommandError("; ".join(lines)) from exc
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
