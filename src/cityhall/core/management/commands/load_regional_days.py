"""``cityhall load_regional_days [--region RU-TA] [--year 2027]``: write the region's own days off
(shipped in ``core/calendar_regions/``) into the business calendar; dates already in the
calendar (officials' corrections) are kept. Idempotent."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cityhall.core.regional_days import shipped_days
from cityhall.core.services import load_regional_days


class Command(BaseCommand):
    help = "Load the region's days off (Tatarstan: Bayrams, Republic and Constitution Days)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="ISO 3166-2 code; default: the setting")
        parser.add_argument("--year", type=int, action="append", help="only this year (repeat)")

    def handle(self, *args, region="", year=None, **options):
        region = region or settings.CALENDAR_REGION
        if not shipped_days(region):
            raise CommandError(f"No days off are shipped for the region {region!r}.")
        added = load_regional_days(actor=None, region=region, years=year)
        self.stdout.write(f"{region}: {added} day(s) off added to the business calendar.")
