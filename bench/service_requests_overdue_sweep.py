"""The overdue sweep over 1,000,000 open stages: how long does one run take?

A fresh database (SQLite in WAL mode under a temporary folder, or PostgreSQL with
``--database postgres``: a fresh database on DATABASE_URL's server, or a throw-away server from
scripts/with-postgres) gets 1,000,000 open requests, each with its open stage; ``--late``
(default 2 %) of the stages are past their due time, a tenth of those by more than a day. Then
``services.sweep_overdue()`` — the huey periodic job's body — runs once and is timed: it writes
the level-1 and level-2 escalations of the late stages with one set-based INSERT … SELECT per
level, over the partial index of open stages' due times (skipping stages already escalated
through the unique (stage, level) index).
A second run (nothing new) is timed too. Target (issue 5): < 2 s.

    .venv/bin/python bench/service_requests_overdue_sweep.py [--stages N] [--database postgres]
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

TARGET_SECONDS = 2.0


def fill(stages: int, late_share: float) -> tuple[int, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from cityhall.accounts.models import Organisation
    from cityhall.service_requests.models import (
        Category,
        CategoryVersion,
        ServiceRequest,
        Stage,
    )

    org = Organisation.objects.create(
        name="Bench managing organisation", type="managing_organisation"
    )
    category = Category.objects.create(
        code="bench", name_ru="Бенчмарк", responsible_type="managing_organisation"
    )
    version = CategoryVersion.objects.create(category=category, number=1)
    rng = random.Random(5)
    now = timezone.now()
    when = connection.ops.adapt_datetimefield_value
    quote = connection.ops.quote_name
    req_t, stage_t = quote(ServiceRequest._meta.db_table), quote(Stage._meta.db_table)
    no_answers = ServiceRequest._meta.get_field("attributes").get_db_prep_save({}, connection)
    late = very_late = 0
    batch = 20_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(1, stages + 1, batch):
            requests, rows = [], []
            for pk in range(start, min(start + batch, stages + 1)):
                roll = rng.random()
                if roll < late_share / 10:
                    due = now - dt.timedelta(hours=rng.uniform(25, 200))
                    very_late += 1
                elif roll < late_share:
                    due = now - dt.timedelta(hours=rng.uniform(0.1, 23))
                    late += 1
                else:
                    due = now + dt.timedelta(hours=rng.uniform(0.1, 240))
                created = when(now - dt.timedelta(hours=rng.uniform(1, 300)))
                requests.append(
                    (
                        pk,
                        f"B-{pk:08d}",
                        f"bench{pk:016d}",
                        category.pk,
                        version.pk,
                        "Течёт крыша",
                        no_answers,
                        "web",
                        "person",
                        "routed",
                        org.pk,
                        when(due),
                        False,
                        0,
                        1,
                        created,
                        created,
                        *("",) * 6,
                    )
                )
                rows.append((pk, "routed", org.pk, created, when(due)))
            cursor.executemany(
                f"INSERT INTO {req_t} (id, number, public_token, category_id, "  # noqa: S608
                "category_version_id, description, attributes, channel, applicant_kind, status, "
                "organisation_id, stage_due_at, is_overdue, reopen_count, version, created_at, "
                "updated_at, address, contact_name, contact_phone, contact_email, report, "
                "status_note) VALUES (" + ", ".join(["%s"] * 23) + ")",
                requests,
            )
            cursor.executemany(
                f"INSERT INTO {stage_t} (request_id, stage, organisation_id, started_at, "  # noqa: S608
                "due_at) VALUES (%s, %s, %s, %s, %s)",
                rows,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {req_t}")
            cursor.execute(f"ANALYZE {stage_t}")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return late + very_late, very_late


def measure(args) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.db import connection

    from cityhall.service_requests import services
    from cityhall.service_requests.models import Escalation, Stage

    began = time.perf_counter()
    late, very_late = fill(args.stages, args.late)
    print(
        f"{'PostgreSQL' if connection.vendor == 'postgresql' else 'SQLite (WAL)'}: "
        f"{Stage.objects.filter(finished_at__isnull=True).count():,} open stages, "
        f"{late:,} past due ({very_late:,} by more than a day); filled in "
        f"{time.perf_counter() - began:.1f} s"
    )
    began = time.perf_counter()
    counts = services.sweep_overdue()
    first = time.perf_counter() - began
    began = time.perf_counter()
    again = services.sweep_overdue()
    second = time.perf_counter() - began
    escalations = Escalation.objects.count()
    print(f"sweep: {first:.3f} s  (level 1: {counts['level1']:,}, level 2: {counts['level2']:,})")
    print(f"sweep again, nothing new: {second:.3f} s  ({again})")
    print(f"escalation rows: {escalations:,}")
    ok = counts["level1"] == late and counts["level2"] == very_late
    print(
        f"target < {TARGET_SECONDS:.0f} s: {'met' if first < TARGET_SECONDS and ok else 'NOT met'}"
    )
    return 0 if ok and first < TARGET_SECONDS else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stages", type=int, default=1_000_000)
    parser.add_argument("--late", type=float, default=0.02, help="share of stages past due")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return harness.in_process(args, "cityhall-bench-sweep-", measure)


if __name__ == "__main__":
    raise SystemExit(main())
