"""``cityhall import_geojson FILE --kind district|suburb|building``: all or nothing."""

from __future__ import annotations

import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cityhall.core.errors import InvalidInput
from cityhall.geo.services import IMPORT_KINDS, ImportFailed, import_geojson


class Command(BaseCommand):
    help = (
        "Import districts, suburbs or buildings from a GeoJSON FeatureCollection. Nothing is "
        "saved if any feature is wrong; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to a .geojson file, or - for standard input")
        parser.add_argument("--kind", required=True, choices=IMPORT_KINDS)
        parser.add_argument("--actor", help="username recorded in the audit trail as importer")

    def handle(self, *args, file: str, kind: str, actor: str | None = None, **options):
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"no user named {actor!r}")
        data = self._read(file)
        step = 500

        def progress(done: int, total: int) -> None:
            if done % step == 0 and done != total:
                self.stderr.write(f"  {done}/{total} …")

        try:
            result = import_geojson(actor=user, data=data, kind=kind, progress=progress)
        except ImportFailed as exc:
            lines = [str(error) for error in exc.errors]
            if exc.dropped:
                lines.append(f"… and {exc.dropped} more")
            raise CommandError(
                f"{exc.message}\n" + "\n".join(f"  {line}" for line in lines)
            ) from None
        except InvalidInput as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{kind}: {result.total} features — {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged"
            )
        )

    def _read(self, file: str):
        try:
            if file == "-":
                return json.load(sys.stdin)
            with open(file, encoding="utf-8") as handle:
                return json.load(handle)
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: cannot read: {exc}") from None
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            ) from None
