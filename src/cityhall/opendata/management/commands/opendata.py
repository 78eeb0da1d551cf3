"""``cityhall opendata list`` and ``cityhall opendata generate [SET …]`` (all sets without
names): the open data sets and their versions, generated now, with the progress shown."""

from __future__ import annotations

import threading
import time

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.opendata import datasets

from ...generation import generate
from ...models import DatasetVersion
from ...selectors import latest


class Command(BaseCommand):
    help = "List the open data sets, or generate new versions of them now."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the sets and their newest versions")
        make = sub.add_parser("generate", help="generate new versions now")
        make.add_argument("sets", nargs="*", help="set codes (default: every set)")

    def handle(self, *args, action, sets=(), **options):
        if action == "list":
            for found in datasets():
                newest = latest(found.code)
                state = f"{newest.version}, {newest.rows} rows" if newest else "not generated"
                self.stdout.write(f"{found.code}: {state}")
            return
        known = {d.code for d in datasets()}
        unknown = [code for code in sets if code not in known]
        if unknown:
            raise CommandError(
                f"unknown sets: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        failed = 0
        for code in sets or [d.code for d in datasets()]:
            version = self._generate(code)
            if version.state == DatasetVersion.State.PUBLISHED:
                self.stdout.write(f"{code}: published {version.version}, {version.rows} rows")
            else:
                failed += 1
                self.stderr.write(f"{code}: failed — {version.error}")
        if failed:
            raise CommandError(f"{failed} set(s) failed; the previous versions stay published")

    def _generate(self, code: str) -> DatasetVersion:
        """Generate in this thread; another one prints the progress every few seconds."""
        done = threading.Event()

        def report() -> None:
            while not done.wait(5):
                found = (
                    DatasetVersion.objects.filter(dataset=code, state="running")
                    .order_by("-started_at")
                    .first()
                )
                if found is not None:
                    total = f" of {found.expected_rows}" if found.expected_rows else ""
                    percent = f" ({found.progress_percent}%)" if found.expected_rows else ""
                    self.stdout.write(f"{code}: {found.rows}{total} rows{percent}")

        watcher = threading.Thread(target=report, daemon=True)
        started = time.monotonic()
        watcher.start()
        try:
            return generate(code)
        finally:
            done.set()
            watcher.join()
            self.stdout.write(f"{code}: {time.monotonic() - started:.1f} s")
