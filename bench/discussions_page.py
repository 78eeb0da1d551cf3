"""A discussion page with 100,000 proposals under 16 concurrent readers: p99 < 150 ms.

A fresh temporary SQLite database gets one discussion open for proposals with N proposals
(the loader of bench/discussions_protocol.py). gunicorn (sync workers) serves the public page;
16 reader threads request random pages of proposals (``/discussions/ID/?page=K``), the first
page and the questions filter, signed out, for the given duration. Prints req/s, p50, p99.

    .venv/bin/python bench/discussions_page.py [--proposals 100000] [--duration 15]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from api_write_vs_bare_insert import PYTHON, Gunicorn, run  # noqa: E402  (shared harness)

TARGET_P99_MS = 150

OPEN_IT = """
import datetime as dt
from django.utils import timezone
from cityhall.discussions.models import Discussion
now = timezone.now()
Discussion.objects.update(status="exposition_open", proposal_deadline=now + dt.timedelta(days=3),
                          exposition_end=(now + dt.timedelta(days=3)).date())
"""


WRK_SCRIPT = """
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
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,"errors":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def read_wrk(base: str, pk: int, pages: int, seconds: float, readers: int, seed: int):
    """wrk (C, Debian package) as the load: it leaves the CPUs to the server."""
    script = Path(tempfile.mkdtemp(prefix="cityhall-wrk-")) / "page.lua"
    script.write_text(WRK_SCRIPT % {"seed": seed, "pk": pk, "pages": pages})
    out = subprocess.run(
        ["wrk", "--threads", "2", "--connections", str(readers), "--duration",
         f"{max(1, int(seconds))}s", "--timeout", "10s", "--script", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    shutil.rmtree(script.parent, ignore_errors=True)
    data = json.loads(next(x for x in out.splitlines() if x.startswith("BENCH "))[6:])
    return (
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        data["errors"],
    )


def read(base: str, pk: int, pages: int, seconds: float, readers: int, seed: int):
    target = urllib.parse.urlparse(base)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def reader(n: int) -> None:
        rng = random.Random(seed + n)
        conn, mine, failed = None, [], 0
        while time.monotonic() < stop_at:
            roll = rng.random()
            if roll < 0.1:
                path = f"/discussions/{pk}/"
            elif roll < 0.15:
                path = f"/discussions/{pk}/?kind=question"
            else:
                path = f"/discussions/{pk}/?page={rng.randint(1, pages)}"
            if conn is None:
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            began = time.perf_counter()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                failed += response.status != 200
                if response.will_close:
                    conn.close()
                    conn = None
            except OSError:
                failed += 1
                conn.close()
                conn = None
                continue
            mine.append(time.perf_counter() - began)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    began = time.monotonic()
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-page-"))
    env = {
        **os.environ,
        "CITYHALL_DATA_DIR": str(workdir),
        "CITYHALL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
    }
    env.pop("DATABASE_URL", None)
    try:
        run([PYTHON, "-m", "cityhall", "migrate", "--noinput", "-v", "0"], env)
        out = run(
            [PYTHON, str(BENCH_DIR / "discussions_protocol.py"), "--phase", "load",
             "--proposals", str(args.proposals)],
            env,
        )  # fmt: skip
        pk = json.loads(out.strip().splitlines()[-1])["discussion"]
        run([PYTHON, "-m", "cityhall", "shell", "--no-imports", "-c", OPEN_IT], env)
        pages = max(1, args.proposals // 50)
        reader = read_wrk if shutil.which("wrk") and not args.python_load else read
        with Gunicorn("cityhall.wsgi:application", env, args.workers) as server:
            reader(server.url, pk, pages, 3, args.readers, seed=1)  # warm-up
            count, elapsed, p50, p99, errors = reader(
                server.url, pk, pages, args.duration, args.readers, seed=2
            )
        print(
            f"SQLite (WAL); gunicorn sync workers={args.workers}; {args.readers} readers "
            f"({'wrk' if reader is read_wrk else 'python threads'}); "
            f"{args.proposals} proposals; {os.cpu_count()} CPUs"
        )
        print(
            f"discussion page: {count / elapsed:.1f} req/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms "
            f"(target p99 < {TARGET_P99_MS} ms); errors {errors}"
        )
        if p99 >= TARGET_P99_MS:
            print("TARGET MISSED")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
