"""Open311 intake (POST /open311/v2/requests.json) next to a bare Django insert, in one run.

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /open311/v2/requests.json, form-encoded as the GeoReport v2 spec says, with
               api_key, service_code, lat/long, description, e-mail — middleware, the api_key
               lookup, the point → building → managing organisation routing, the request row,
               its number, the first stage with its due time from the business calendar, the
               history row, the audit-chain append and the applicant's notification (outbox row,
               a huey job enqueued on commit), all in one transaction answered after commit.

Targets (issue 5): (b) reaches at least 50 % of (a)'s throughput, p99 < 100 ms, no errors.
Servers, database set-up and the bare app are those of bench/api_write_vs_bare_insert.py
(imported, not copied); the Open311 load uses the same wrk (or Python threads) settings with
a form-encoded body.

    .venv/bin/python bench/service_requests_open311_intake.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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

import api_write_vs_bare_insert as harness  # noqa: E402

TARGET = 0.50
P99_TARGET_MS = 100.0
API_KEY = "o311_bench-key-not-secret"

SETUP = f"""
import hashlib
from cityhall.accounts.models import Organisation
from cityhall.geo import services as geo
from cityhall.service_requests import services
from cityhall.service_requests.models import BuildingManagement, Category, Open311Client

box = {{"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.3, 55.7], [49.3, 55.9],
        [49.0, 55.9], [49.0, 55.7]]]}}
district = geo.save_area(actor=None, kind="district", code="bench", name="Bench district",
                         geometry=box)
manager = Organisation.objects.create(name="Bench managing organisation",
                                      type="managing_organisation")
for n in range(50):
    building = geo.create_building(actor=None, street="ул. Баумана", house=str(n + 1),
                                   lat=55.78 + n * 0.002, lon=49.12)
    BuildingManagement.objects.create(building=building, organisation=manager)
category = Category.objects.create(code="roof_leak", name_ru="Протечка кровли",
                                   responsible_type="managing_organisation")
services.publish_category_version(category=category, actor=None, limits={{
    "new": (2, "working_hours"), "routed": (1, "working_days"),
    "accepted": (2, "working_days"), "in_work": (5, "working_days")}})
Open311Client.objects.create(name="bench", key_prefix="{API_KEY[:10]}",
                             key_hash=hashlib.sha256("{API_KEY}".encode()).hexdigest())
"""

FORM = urllib.parse.urlencode(
    {
        "api_key": API_KEY,
        "service_code": "roof_leak",
        "lat": "55.78",
        "long": "49.12",
        "description": "После дождя течёт с потолка на последнем этаже.",
        "email": "resident@bench.invalid",
        "first_name": "Bench",
    }
)

WRK_FORM = """
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"status":%%d,"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""

COUNT = """
from cityhall.service_requests.models import ServiceRequest
from cityhall.notifications.models import Message
print(ServiceRequest.objects.filter(organisation__isnull=False).count(),
      ServiceRequest.objects.count(), Message.objects.count())
"""


def form_with_wrk(name, url, seconds, connections, workdir: Path) -> harness.Result:
    script = workdir / "open311.lua"
    script.write_text(WRK_FORM % {"body": json.dumps(FORM)})
    out = subprocess.run(
        [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(next(x for x in out.splitlines() if x.startswith("BENCH "))[6:])
    errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
    return harness.Result(
        name,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
    )


def form_with_python(name, url, seconds, connections) -> harness.Result:
    target = urllib.parse.urlparse(url)
    body = FORM.encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        conn, mine, failed = None, [], 0
        while time.monotonic() < stop_at:
            if conn is None:
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            began = time.perf_counter()
            try:
                conn.request("POST", target.path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                failed += response.status >= 400
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
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return harness.Result(
        name,
        len(latencies),
        time.monotonic() - began,
        cuts[49] * 1000,
        cuts[98] * 1000,
        errors[0],
    )


def measure(database_url: str | None, args) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-311-"))
    env = {
        **os.environ,
        "CITYHALL_DATA_DIR": str(workdir),
        "CITYHALL_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH_DIR), os.environ.get("PYTHONPATH")])),
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    project_env = {**env, "DJANGO_SETTINGS_MODULE": "cityhall.settings"}
    bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_app.settings"}
    cityhall = [harness.PYTHON, "-m", "cityhall"]
    use_wrk = shutil.which("wrk") is not None and not args.python_load
    try:
        harness.run([*cityhall, "migrate", "--noinput", "-v", "0"], project_env)
        harness.run([harness.PYTHON, "-m", "django", "migrate", "--noinput", "-v", "0"], bare_env)
        harness.run([*cityhall, "shell", "--no-imports", "-c", SETUP], project_env)
        print(
            f"{'PostgreSQL' if database_url else 'SQLite (WAL)'}; gunicorn sync workers="
            f"{args.workers}; {args.connections} connections; {args.duration} s per run; "
            f"load: {'wrk' if use_wrk else 'python threads'}; {os.cpu_count()} CPUs"
        )

        def run_load(name, url, form: bool):
            result = None
            for label, seconds in (("warm-up", args.warmup), ("", args.duration)):
                if not seconds:
                    continue
                title = f"{name} {label}".strip()
                if form:
                    result = (
                        form_with_wrk(title, url, seconds, args.connections, workdir)
                        if use_wrk
                        else form_with_python(title, url, seconds, args.connections)
                    )
                elif use_wrk:
                    result = harness.load_with_wrk(
                        title, url, {}, seconds, args.connections, workdir
                    )
                else:
                    result = harness.load_with_python(title, url, {}, seconds, args.connections)
            return result

        with harness.Gunicorn("bare_app.wsgi:application", bare_env, args.workers) as server:
            bare = run_load("bare insert", server.url + "/rows", form=False)
        print(bare.line())
        with harness.Gunicorn("cityhall.wsgi:application", project_env, args.workers) as server:
            api = run_load("Open311 POST", server.url + "/open311/v2/requests.json", form=True)
        print(api.line())
        ratio = api.rate / bare.rate if bare.rate else 0.0
        print(
            f"ratio Open311 POST / bare insert: throughput {ratio:.3f} (target >= {TARGET}), "
            f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms:.1f} ms "
            f"(target < {P99_TARGET_MS:.0f} ms)"
        )
        counts = harness.run([*cityhall, "shell", "--no-imports", "-c", COUNT], project_env)
        routed, total, messages = counts.strip().splitlines()[-1].split()
        print(
            f"written: {total} requests ({routed} routed to the managing organisation), "
            f"{messages} outbox messages"
        )
        verified = harness.run([*cityhall, "verify_audit"], project_env).strip().splitlines()[-1]
        print(verified)
        if api.errors or bare.errors:
            print("errors during the run (see above)")
            return 1
        return 0 if ratio >= TARGET and api.p99_ms < P99_TARGET_MS else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--python-load", action="store_true")
    args = parser.parse_args()
    if args.database == "sqlite":
        return measure(None, args)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        script = harness.REPO_DIR / "scripts" / "with-postgres"
        return subprocess.call([str(script), harness.PYTHON, *sys.argv], cwd=harness.REPO_DIR)
    with harness.FreshPostgres(url) as fresh_url:
        return measure(fresh_url, args)


if __name__ == "__main__":
    raise SystemExit(main())
