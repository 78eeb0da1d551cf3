"""``cityhall export_geojson --kind district|suburb|building [--district CODE] [-o FILE]``.

The output imports back unchanged with ``cityhall import_geojson``."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from cityhall.geo import selectors
from cityhall.geo.services import IMPORT_KINDS


class Command(BaseCommand):
    help = "Write districts, suburbs or buildings as a GeoJSON FeatureCollection."

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=IMPORT_KINDS)
        parser.add_argument("--district", help="buildings of this district only (its code)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args, kind: str, district=None, output=None, **options):
        if district and selectors.get_district(district) is None:
            raise CommandError(f"no district with the code {district!r}")
        if kind == "building":
            data = selectors.buildings_geojson(district=district, limit=None)
        else:
            if district:
                raise CommandError("--district applies to --kind building only")
            data = selectors.areas_geojson(kind)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text + "\n")
            self.stderr.write(f"{len(data['features'])} features written to {output}")
        else:
            self.stdout.write(text)
