"""``cityhall import_service FILE [--department NAME] [--publish]``: import a definition file
as a new draft version (the service is created if missing)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cityhall.accounts.models import Organisation
from cityhall.core.errors import DomainError
from cityhall.municipal_services.services import import_service


class Command(BaseCommand):
    help = "Import a municipal service definition file as a new draft (optionally publish it)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--department", help="department name here, if it differs")
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, file, department=None, publish=False, **options):
        try:
            with open(file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        dept = None
        if department:
            dept = Organisation.objects.filter(name=department).first()
            if dept is None:
                raise CommandError(f"unknown department: {department}")
        try:
            version = import_service(actor=None, data=data, department=dept, publish=publish)
        except DomainError as exc:
            lines = [str(exc.message)]
            for name, messages in exc.fields.items():
                lines += [f"  {name}: {m}" for m in messages]
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(
            f"imported {version.service.code} as version {version.number} ({version.status})"
        )
