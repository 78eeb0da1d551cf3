"""``cityhall export_service CODE [-o FILE] [--number N]``: write a service definition file."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.errors import NotFound
from cityhall.municipal_services.selectors import export_service, service_by_code


class Command(BaseCommand):
    help = "Export a municipal service definition as a JSON file (to move it to another city)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")
        parser.add_argument("--number", type=int, help="version number (default: published)")

    def handle(self, *args, code, output=None, number=None, **options):
        try:
            service = service_by_code(code)
            chosen = service.versions.filter(number=number).first() if number else None
            if number and chosen is None:
                raise NotFound()
            data = export_service(service, chosen)
        except NotFound as exc:
            raise CommandError(f"no such service or version: {code}") from exc
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        if output:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
            self.stdout.write(f"exported {code} v{data['exported_version']} to {output}")
        else:
            self.stdout.write(text)
