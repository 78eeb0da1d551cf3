"""How many audit records a second the audit chains let PostgreSQL append, against the same
number of processes inserting a plain row each (no shared lock), 1 to 8 writers at once.

Every business action appends to the audit trail under a lock of its chain's head row. With one
chain (ADR 0002) that serialised every write of the cluster; the trail is now 16 chains, a
transaction appending to the chain of the object it audits (ADR 0032), so writers acting on
different objects mostly take different heads. Each writer here audits objects of its own, one
record per transaction, as separate staff actions do. Run it against the database the nodes
share (its schema migrated):

    eval "$(scripts/cluster env)"         # after `scripts/cluster up`
    .venv/bin/python bench/audit_append_rate.py [--seconds 5] [--writers 1,2,4,8]

Prints, per number of writers: appends/s, plain inserts/s, and their ratio.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")
    import django

    django.setup()


def _append(seconds: float, counter, start) -> None:
    _setup()
    from django.db import transaction

    from cityhall.core import audit

    me = os.getpid()
    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        with transaction.atomic():
            audit.record(
                actor=None, action="bench.append", object_type="bench", object_id=f"{me}-{done}"
            )
        done += 1
    with counter.get_lock():
        counter.value += done


def _insert(seconds: float, counter, start) -> None:
    _setup()
    from django.db import connection, transaction

    start.wait()
    done, deadline = 0, time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            with transaction.atomic():
                cursor.execute("INSERT INTO bench_plain_row (n, at) VALUES (%s, now())", [done])
            done += 1
    with counter.get_lock():
        counter.value += done


def _rate(target, writers: int, seconds: float) -> float:
    counter = multiprocessing.Value("q", 0)
    start = multiprocessing.Barrier(writers + 1)
    processes = [
        multiprocessing.Process(target=target, args=(seconds, counter, start))
        for _ in range(writers)
    ]
    for process in processes:
        process.start()
    start.wait()
    for process in processes:
        process.join()
    return counter.value / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--writers", default="1,2,4,8")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("audit_append_rate: set DATABASE_URL to the cluster's PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_plain_row (n bigint, at timestamptz)")
    connection.close()
    print(f"{'writers':>8} {'appends/s':>10} {'inserts/s':>10} {'ratio':>6}")
    for writers in [int(n) for n in args.writers.split(",")]:
        appends = _rate(_append, writers, args.seconds)
        inserts = _rate(_insert, writers, args.seconds)
        print(f"{writers:>8} {appends:>10.0f} {inserts:>10.0f} {appends / inserts:>6.2f}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_plain_row")


if __name__ == "__main__":
    main()
