"""A discussion page with 100,000 proposals under 16 concurrent readers: p99 < 150 ms.

A fresh temporary SQLite database gets one discussion open for proposals with N proposals
(the loader of bench/discussions_protocol.py). gunicorn (sync workers) serves the public page;
16 reader threads request random pages of proposals (``/discussions/ID/?page=K``), the first
page and the questions filter, signed out, for the given duration. Prints req/s, p50, p99.

    .venv/bin/python bench/discussions_page.py [--proposals 100000] [--duration 15]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import harness  # noqa: E402

TARGET_P99_MS = 150

OPEN_IT = """
import datetime as dt
from django.utils import timezone
from cityhall.discussions.models import Discussion
now = timezone.now()
Discussion.objects.update(status="exposition_open", proposal_deadline=now + dt.timedelta(days=3),
                          exposition_end=(now + dt.timedelta(days=3)).date())
"""


WRK_REQUEST = """
math.randomseed(%(seed)d)
request = function()
  local roll = math.random()
  local path
  if roll < 0.1 then
    path = "/discussions/%(pk)d/"
  elseif roll < 0.15 then
    path = "/discussions/%(pk)d/?kind=question"
  else
    path = "/discussions/%(pk)d/?page=" .. math.random(1, %(pages)d)
  end
  return wrk.format("GET", path)
end
"""


def readers_load(pk: int, pages: int, seed: int) -> harness.Load:
    """Signed-out readers: the first page (10 %), the questions filter (5 %), else a random
    page of proposals; each Python reader with its own seeded generator."""
    rngs: dict[int, random.Random] = {}

    def path(worker: int, n: int) -> str:
        rng = rngs.setdefault(worker, random.Random(seed + worker))
        roll = rng.random()
        if roll < 0.1:
            return f"/discussions/{pk}/"
        if roll < 0.15:
            return f"/discussions/{pk}/?kind=question"
        return f"/discussions/{pk}/?page={rng.randint(1, pages)}"

    return harness.Load(
        method="GET",
        path=path,
        wrk_lua=WRK_REQUEST % {"seed": seed, "pk": pk, "pages": pages},
        expect=200,
        timeout=30,
    )


def main() -> None:
    harness.stop_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers (as serve)"
    )
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()

    with harness.Environment(None, "cityhall-bench-page-", bare=False) as env:
        out = harness.run(
            [harness.PYTHON, str(BENCH_DIR / "discussions_protocol.py"), "--phase", "load",
             "--proposals", str(args.proposals)],
            env.project_env,
        )  # fmt: skip
        pk = json.loads(out.strip().splitlines()[-1])["discussion"]
        env.shell(OPEN_IT)
        pages = max(1, args.proposals // 50)
        use_wrk = bool(shutil.which("wrk")) and not args.python_load
        run = harness.load_with_wrk if use_wrk else harness.load_with_python

        def read(name, url, seconds, seed):
            extra = (env.workdir,) if use_wrk else ()
            return run(name, url, readers_load(pk, pages, seed), seconds, args.readers, *extra)

        with env.project(args.workers) as server:
            read("warm-up", server.url, 3, seed=1)
            page = read("page", server.url, args.duration, seed=2)
        print(
            f"SQLite (WAL); gunicorn sync workers={args.workers}; {args.readers} readers "
            f"({'wrk' if use_wrk else 'python threads'}); "
            f"{args.proposals} proposals; {os.cpu_count()} CPUs"
        )
        print(
            f"discussion page: {page.rate:.1f} req/s, p50 {page.p50_ms:.1f} ms, "
            f"p99 {page.p99_ms:.1f} ms (target p99 < {TARGET_P99_MS} ms); errors {page.errors}"
        )
        if page.p99_ms >= TARGET_P99_MS:
            print("TARGET MISSED")


if __name__ == "__main__":
    main()
