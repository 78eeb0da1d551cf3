"""``cityhall export_request_catalogue [FILE]``: the request categories, their questions and
stage limits as JSON (to review, keep in version control or load into another installation)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from cityhall.service_requests.services import export_catalogue


class Command(BaseCommand):
    help = "Export the request catalogue (categories, questions, stage limits) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="write here instead of standard output")

    def handle(self, *args, file=None, **options):
        text = json.dumps(export_catalogue(), ensure_ascii=False, indent=2)
        if file:
            with open(file, "w", encoding="utf-8") as out:
                out.write(text + "\n")
        else:
            self.stdout.write(text)
