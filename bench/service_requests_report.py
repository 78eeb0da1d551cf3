"""The report constructor over a year of 10,000,000 requests: how long does a report take?

Reports read the roll-ups, never the raw requests: ``DailyStat`` (one row per creation day and
slice: district, suburb, organisation, category, channel, applicant kind; statuses, timeliness,
reopenings and resolution time are measures) and ``MonthlyStat`` (the same summed by month).
A period is answered from whole months plus the days at its edges.

This script fills a fresh database (SQLite in WAL mode under a temporary folder, or PostgreSQL
with ``--database postgres``) with the roll-up rows that a year of 10,000,000 requests produces
in a city of 7 districts, 21 suburbs, 15 categories, 3 channels and 2 applicant kinds (every
slice non-empty on every day: ~690,000 daily rows), then times typical reports through
``selectors.report`` — the function the report page and its CSV/XLSX export call. It also times
the roll-up refresh of one day from 27,400 raw requests. Target (issue 5): each report < 1 s.

    .venv/bin/python bench/service_requests_report.py [--requests 10000000] [--database postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

TARGET_SECONDS = 1.0
DISTRICTS, SUBURBS_PER_DISTRICT, CATEGORIES = 7, 3, 15
CHANNELS = ("web", "operator", "open311")
KINDS = ("person", "organisation")


def fill(total_requests: int, first_day: dt.date) -> tuple[dict, int]:
    from django.db import connection, transaction

    from cityhall.service_requests.models import DailyStat, MonthlyStat
    from cityhall.service_requests.services.statistics import month_sql

    rng = random.Random(11)
    suburbs = [
        (d, d * 10 + s) for d in range(1, DISTRICTS + 1) for s in range(1, SUBURBS_PER_DISTRICT + 1)
    ]
    # Each suburb's managing organisation, a supplier per resource, two contractors.
    managing = {suburb: 100 + i % 12 for i, (_d, suburb) in enumerate(suburbs)}
    orgs_of_category = {c: ("managing" if c <= 9 else 200 + c) for c in range(1, CATEGORIES + 1)}
    slices = [
        (d, s, managing[s] if orgs_of_category[c] == "managing" else orgs_of_category[c], c, ch, k)
        for d, s in suburbs
        for c in range(1, CATEGORIES + 1)
        for ch in CHANNELS
        for k in KINDS
    ]
    weights = [
        (3 if ch != "open311" else 1) * (15 if k == "person" else 1) * (1 + (c % 4))
        for (_d, _s, _o, c, ch, k) in slices
    ]
    scale = total_requests / 365 / sum(weights)
    quote = connection.ops.quote_name
    day_t = quote(DailyStat._meta.db_table)
    month_t = quote(MonthlyStat._meta.db_table)
    columns = (
        "day, district_id, suburb_id, organisation_id, category_id, channel, applicant_kind, "
        "total, open, done, confirmed, rejected, merged, closed_on_time, overdue, reopened, "
        "resolution_seconds, new_seconds, new_count, routed_seconds, routed_count, "
        "accepted_seconds, accepted_count, in_work_seconds, in_work_count"
    )
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for offset in range(365):
            day = first_day + dt.timedelta(days=offset)
            rows = []
            for (d, s, o, c, ch, k), w in zip(slices, weights, strict=True):
                total = max(1, round(w * scale * rng.uniform(0.6, 1.4)))
                closed = round(total * 0.85)
                confirmed = round(closed * 0.85)
                rejected = round(total * 0.07)
                merged = round(total * 0.04)
                open_ = max(0, total - closed - rejected - merged)
                rows.append(
                    (
                        connection.ops.adapt_datefield_value(day),
                        d,
                        s,
                        o,
                        c,
                        ch,
                        k,
                        total,
                        open_,
                        closed - confirmed,
                        confirmed,
                        rejected,
                        merged,
                        round(closed * 0.88),
                        round(total * 0.1),
                        round(total * 0.04),
                        closed * rng.randint(20_000, 300_000),
                        total // 10 * 3600,
                        total // 10,
                        total * rng.randint(1_000, 20_000),
                        total,
                        closed * rng.randint(2_000, 40_000),
                        closed,
                        closed * rng.randint(5_000, 200_000),
                        closed,
                    )
                )
                written += total
            cursor.executemany(
                f"INSERT INTO {day_t} ({columns}) VALUES ({', '.join(['%s'] * 25)})",  # noqa: S608
                rows,
            )
        sums = ", ".join(f"SUM({m.strip()})" for m in columns.split(",")[7:])
        dims = "district_id, suburb_id, organisation_id, category_id, channel, applicant_kind"
        cursor.execute(
            f"INSERT INTO {month_t} (month, {columns.split(', ', 1)[1]}) "  # noqa: S608
            f"SELECT {month_sql('day').replace('%%', '%')}, {dims}, {sums} FROM {day_t} "
            f"GROUP BY {month_sql('day').replace('%%', '%')}, {dims}"
        )
        cursor.execute("ANALYZE")
    return {"suburbs": suburbs, "slices": len(slices)}, written


def raw_day(day: dt.date, count: int) -> float:
    """Insert one day of raw requests and time the roll-up refresh of that day."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cityhall.accounts.models import Organisation
    from cityhall.service_requests.models import Category, CategoryVersion, ServiceRequest
    from cityhall.service_requests.services import rebuild_daily_stats

    org = Organisation.objects.create(name="Bench", type="managing_organisation")
    category = Category.objects.create(
        code="bench", name_ru="Бенч", responsible_type="managing_organisation"
    )
    version = CategoryVersion.objects.create(category=category, number=1)
    tz = timezone.get_current_timezone()
    base = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    when = connection.ops.adapt_datetimefield_value
    answers = ServiceRequest._meta.get_field("attributes").get_db_prep_save({}, connection)
    quote = connection.ops.quote_name
    rows = []
    for i in range(count):
        created = when(base + dt.timedelta(seconds=i * 86_000 / count))
        rows.append(
            (
                f"R-{i:08d}",
                f"raw{i:020d}",
                category.pk,
                version.pk,
                "x",
                answers,
                "web",
                "person",
                "confirmed",
                org.pk,
                False,
                0,
                1,
                created,
                created,
                created,
                *("",) * 6,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(ServiceRequest._meta.db_table)} (number, public_token, "  # noqa: S608
            "category_id, category_version_id, description, attributes, channel, "
            "applicant_kind, status, organisation_id, is_overdue, reopen_count, version, "
            "created_at, updated_at, closed_at, address, contact_name, contact_phone, "
            "contact_email, report, status_note) VALUES (" + ", ".join(["%s"] * 22) + ")",
            rows,
        )
    began = time.perf_counter()
    rebuild_daily_stats(days=[day])
    took = time.perf_counter() - began
    from django.db.models import Sum

    from cityhall.service_requests.models import DailyStat

    counted = DailyStat.objects.filter(day=day).aggregate(n=Sum("total"))["n"]
    if counted != count:
        raise SystemExit(f"the refreshed day counts {counted} requests, expected {count}")
    return took


def measure(args) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    from cityhall.service_requests import selectors
    from cityhall.service_requests.models import DailyStat, MonthlyStat

    first_day = dt.date(2025, 1, 1)
    began = time.perf_counter()
    shape, written = fill(args.requests, first_day)
    print(
        f"{'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite (WAL)'}: roll-ups of "
        f"{written:,} requests over 365 days — {DailyStat.objects.count():,} daily rows, "
        f"{MonthlyStat.objects.count():,} monthly rows ({shape['slices']:,} slices); filled in "
        f"{time.perf_counter() - began:.1f} s"
    )
    d = dt.date
    reports = [
        ("whole year by district", {"by": "district"}),
        ("whole year by organisation, one category", {"by": "organisation", "category_id": 3}),
        (
            "10 Jan – 20 Oct by category",
            {"by": "category", "start": d(2025, 1, 10), "end": d(2025, 10, 20)},
        ),
        (
            "by month, one district, call centre",
            {"by": "month", "district_id": 2, "channel": "operator"},
        ),
        (
            "by suburb, organisations as applicants, 15 Mar – 14 Sep",
            {
                "by": "suburb",
                "applicant_kind": "organisation",
                "start": d(2025, 3, 15),
                "end": d(2025, 9, 14),
            },
        ),
        (
            "by channel, 3 – 28 Feb (days only)",
            {"by": "channel", "start": d(2025, 2, 3), "end": d(2025, 2, 28)},
        ),
        (
            "by day, one quarter, one organisation",
            {"by": "day", "organisation_id": 100, "start": d(2025, 4, 1), "end": d(2025, 6, 30)},
        ),
    ]
    worst = 0.0
    for title, params in reports:
        selectors.report(**params)  # warm the labels' queries and the page cache
        began = time.perf_counter()
        rows = selectors.report(**params)
        took = time.perf_counter() - began
        worst = max(worst, took)
        total = sum(r.total for r in rows)
        print(f"  {took * 1000:8.1f} ms  {title}: {len(rows)} rows, {total:,} requests")
    refresh = raw_day(d(2026, 1, 15), args.day_requests)
    print(f"roll-up refresh of one day from {args.day_requests:,} raw requests: {refresh:.2f} s")
    ok = worst < TARGET_SECONDS
    print(
        f"slowest report {worst * 1000:.1f} ms; target < {TARGET_SECONDS * 1000:.0f} ms: "
        f"{'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000_000)
    parser.add_argument("--day-requests", type=int, default=27_400)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    return harness.in_process(args, "cityhall-bench-report-", measure)


if __name__ == "__main__":
    raise SystemExit(main())
