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
FIRST = min(ROWS, 10_000)  # made through the ORM, then copied in SQL (10 M rows in minutes)
start = timezone.now() - dt.timedelta(days=365)
started = time.monotonic()
with transaction.atomic():
    ServiceRequest.objects.bulk_create(
        ServiceRequest(
            number=f"B-{n:08d}", public_token=secrets.token_hex(8) + f"{n:016x}",
            category=category, category_version=version, building=buildings[n % 50],
            district=district, description="Течёт крыша", channel="web",
            applicant_kind="person", status="in_work", organisation=manager,
            created_at=start + dt.timedelta(seconds=n * 3),
            updated_at=start + dt.timedelta(seconds=n * 3))
        for n in range(1, FIRST + 1))
    Stage.objects.bulk_create(
        Stage(request_id=pk, stage="routed", organisation=manager, started_at=at)
        for pk, at in ServiceRequest.objects.values_list("id", "created_at"))


def columns(model, **replace):
    names = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    return ", ".join(f'"{n}"' for n in names), ", ".join(replace.get(n, f'"{n}"') for n in names)


requests, stages = ServiceRequest._meta.db_table, Stage._meta.db_table
with connection.cursor() as cursor:
    # double the requests (copies get unique numbers and tokens) until there are ROWS
    have = FIRST
    while have < ROWS:
        take = min(have, ROWS - have)
        target, source = columns(
            ServiceRequest,
            number=f"'B-' || CAST(id + {have} AS TEXT)",
            public_token=f"'c' || CAST(id + {have} AS TEXT)",
            created_at=f"created_at + INTERVAL '{have * 3} seconds'"
            if connection.vendor == "postgresql" else
            f"datetime(created_at, '+{have * 3} seconds')",
            updated_at="created_at",
        )
        with transaction.atomic():
            cursor.execute(f'INSERT INTO "{requests}" ({target}) SELECT {source} '
                           f'FROM "{requests}" WHERE id <= %s ORDER BY id', [take])
        have += take
    # one stage per copied request, like the first ones
    target, source = columns(Stage, request_id="r.id", started_at="r.created_at")
    source = ", ".join(f"s.{c}" if not c.startswith("r.") else c for c in source.split(", "))
    with transaction.atomic():
        cursor.execute(
            f'INSERT INTO "{stages}" ({target}) SELECT {source} FROM "{requests}" r '
            f'JOIN "{stages}" s ON s.id = (SELECT MIN(id) FROM "{stages}") WHERE r.id > %s',
            [FIRST])
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
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
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
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = max(before, usage.ru_maxrss) / 1024
        cpu = usage.ru_utime + usage.ru_stime - cpu_before
        own = done.stdout.strip().splitlines()[-2]  # "requests: 12.3 s" — the generation itself
        print(own)
        generation = float(own.split()[-2])
        print(
            f"CPU time of the generating process (all threads): {cpu:.1f} s, "
            f"{cpu / args.rows * 1e6:.1f} µs per row (on a busy machine the wall time grows, "
            f"this does not); extrapolated to {TARGET_ROWS:,} rows: "
            f"{cpu / args.rows * TARGET_ROWS:.0f} s of CPU (a second core compresses)"
        )
        rate = args.rows / generation
        print(
            f"opendata: {generation:.1f} s generating ({seconds:.1f} s with the process's start), "
            f"{rate:,.0f} rows/s, peak memory {peak_mb:.0f} MB; "
            f"ratio opendata / bare: {generation / bare:.1f}x"
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
