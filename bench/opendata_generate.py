"""Open data: generating the requests set (issue 18 target: 10,000,000 rows in under 5 minutes
and 300 MB), next to the cheapest export of the same table, in one run.

  (a) bare:     one SELECT of the requests table streamed into a gzip CSV by Python's csv
                module — no joins, no stages, one format;
  (b) opendata: ``cityhall opendata generate requests`` in its own process — the set's joins,
                the stages and ratings of each chunk, CSV, JSON and GeoJSON (no XLSX: at 10
                million rows the set does not fit a sheet), SHA-256 of each file, published.

Prints rows, seconds, rows/s, the generating process's peak memory (its maximum resident set),
the ratio (b)/(a) of the times and the figures extrapolated to 10 million rows.

    .venv/bin/python bench/opendata_generate.py [--rows 1000000] [--database postgres]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET_ROWS = 10_000_000
TARGET_SECONDS = 300
TARGET_MB = 300

SEED = """
import datetime as dt, secrets, time
from django.db import connection, transaction
from django.utils import timezone
from cityhall.accounts.models import Organisation
from cityhall.geo import services as geo
from cityhall.service_requests.models import Category, ServiceRequest, Stage
from cityhall.service_requests.services import catalogue
square = {"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.2, 55.7], [49.2, 55.9],
          [49.0, 55.9], [49.0, 55.7]]]}
district = geo.save_area(actor=None, kind="district", code="bench", name="Бенч", geometry=square)
buildings = [geo.create_building(actor=None, street="ул. Баумана", house=str(n),
             lat=55.79 + n / 1e4, lon=49.1 + n / 1e4) for n in range(1, 51)]
manager = Organisation.objects.create(name="УК Бенч", type="managing_organisation")
category = Category.objects.create(code="leak", name_ru="Протечка", name_en="Leak",
                                   responsible_type="managing_organisation", group="housing")
version = catalogue.publish_category_version(category=category, actor=None, attributes=[],
    limits={"new": (2, "working_hours"), "routed": (1, "working_days"),
            "accepted": (2, "working_days"), "in_work": (5, "working_days")})
ROWS = {rows}
start = timezone.now() - dt.timedelta(days=365)
batch = []
started = time.monotonic()
with transaction.atomic():
    for n in range(1, ROWS + 1):
        at = start + dt.timedelta(seconds=n * 3)
        batch.append(ServiceRequest(
            number=f"B-{n:08d}", public_token=secrets.token_hex(8) + f"{n:016x}",
            category=category, category_version=version, building=buildings[n % 50],
            district=district, description="Течёт крыша", channel="web",
            applicant_kind="person", status="in_work", organisation=manager,
            created_at=at, updated_at=at))
        if len(batch) == 20000:
            ServiceRequest.objects.bulk_create(batch)
            batch = []
    if batch:
        ServiceRequest.objects.bulk_create(batch)
with transaction.atomic():
    ids = ServiceRequest.objects.values_list("id", "created_at").iterator(chunk_size=20000)
    stages = []
    for pk, at in ids:
        stages.append(Stage(request_id=pk, stage="routed", organisation=manager, started_at=at))
        if len(stages) == 20000:
            Stage.objects.bulk_create(stages)
            stages = []
    if stages:
        Stage.objects.bulk_create(stages)
print(round(time.monotonic() - started, 1))
"""

BARE = """
import csv, gzip, io, time
from django.db import connection
started = time.monotonic()
with gzip.open("{path}", "wt", compresslevel=1, newline="", encoding="utf-8") as out:
    writer = csv.writer(out)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, number, category_id, building_id, district_id, organisation_id, "
                       "channel, applicant_kind, status, created_at, closed_at "
                       "FROM service_requests_servicerequest ORDER BY id")
        while rows := cursor.fetchmany(5000):
            writer.writerows(rows)
print(round(time.monotonic() - started, 2))
"""


def measure(database_url: str | None, args) -> None:
    with harness.Environment(database_url, "cityhall-bench-opendata-", bare=False) as env:
        print(f"{env.engine}: seeding {args.rows:,} requests with a stage each …", flush=True)
        seeded = env.shell(SEED.replace("{rows}", str(args.rows))).strip().splitlines()[-1]
        print(f"seeded in {seeded} s")
        bare = float(
            env.shell(BARE.replace("{path}", str(env.workdir / "bare.csv.gz"))).split()[-1]
        )
        print(f"bare: one SELECT into a gzip CSV: {bare:.1f} s ({args.rows / bare:,.0f} rows/s)")
        started = time.monotonic()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # as at 10 million rows, where a sheet cannot hold the set: no XLSX
        no_xlsx = {**env.project_env, "CITYHALL_OPENDATA_XLSX_MAX_ROWS": "0"}
        done = subprocess.run(
            [*harness.CITYHALL, "opendata", "generate", "requests"],
            env=no_xlsx,
            cwd=harness.REPO_DIR,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit("the generation failed")
        peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
        print(done.stdout.strip().splitlines()[-2])
        rate = args.rows / seconds
        print(
            f"opendata: {seconds:.1f} s ({rate:,.0f} rows/s), peak memory {peak_mb:.0f} MB; "
            f"ratio opendata / bare: {seconds / bare:.1f}x"
        )
        at_target = TARGET_ROWS / rate
        print(
            f"extrapolated to {TARGET_ROWS:,} rows: {at_target:.0f} s (target < {TARGET_SECONDS} "
            f"s: {at_target / TARGET_SECONDS:.2f} of it); memory does not grow with rows "
            f"(streamed), {peak_mb:.0f} MB of {TARGET_MB} MB"
        )


def main() -> int | None:
    harness.stop_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    return harness.on_database(parser.parse_args(), measure)


if __name__ == "__main__":
    raise SystemExit(main())
