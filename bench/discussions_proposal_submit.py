"""Proposal submission throughput next to the cheapest Django insert, in one run.

  (a) bare:     POST /rows to bench/bare_app — parse JSON, INSERT one row.
  (b) proposal: POST /api/v1/discussions/{id}/proposals with a bearer token — eligibility from
                verified attributes, the discussion row lock, a gap-free number, the participant,
                the audit-chain append and the receipt in the outbox, all committed before 201.

Every request carries a different text (a repeat within a minute is refused by design). Same
server set-up for both (gunicorn sync workers on a fresh temporary SQLite database, or
PostgreSQL with ``--database postgres``), same load generator (wrk when installed). Target:
proposal throughput ≥ 50 % of the bare insert. Afterwards: numbers are checked gap-free and the
audit chain verified.

    .venv/bin/python bench/discussions_proposal_submit.py [--duration 10] [--database postgres]
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

from api_write_vs_bare_insert import (  # noqa: E402  (the shared harness)
    PYTHON,
    REPO_DIR,
    FreshPostgres,
    Gunicorn,
    Result,
    run,
)

TARGET_RATIO = 0.5

SETUP = """
import datetime as dt, hashlib
from django.utils import timezone
from cityhall.accounts.models import Organisation, User, VerifiedIdentity
from cityhall.accounts.tokens import create_api_token
from cityhall.discussions.models import Discussion, DocumentType
from cityhall.geo import services as geo
square = {"type": "Polygon", "coordinates": [[[49.0, 55.7], [49.2, 55.7], [49.2, 55.9],
          [49.0, 55.9], [49.0, 55.7]]]}
district = geo.save_area(actor=None, kind="district", code="bench", name="Бенч", geometry=square)
home = geo.create_building(actor=None, street="ул. Баумана", house="5", lat=55.79, lon=49.1)
council = Organisation.objects.create(name="Дума", type="council")
kind = DocumentType.objects.create(code="planning_project", name="Проект планировки")
now = timezone.now()
discussion = Discussion.objects.create(
    number="2026-0001", title="Проект планировки", document_type=kind, organiser=council,
    status="exposition_open", notice_date=(now - dt.timedelta(days=10)).date(),
    exposition_start=now - dt.timedelta(days=1),
    exposition_end=(now + dt.timedelta(days=5)).date(),
    proposal_deadline=now + dt.timedelta(days=5),
    conclusion_due=(now + dt.timedelta(days=20)).date())
discussion.districts.set([district])
person = User.objects.create_user("bench-resident", email="resident@bench.invalid",
                                  first_name="Анна", last_name="Иванова")
VerifiedIdentity.objects.create(user=person, method="service_centre", last_name="Иванова",
    first_name="Анна", birth_date=dt.date(1990, 1, 1),
    document_hash=hashlib.sha256(b"9200 000001").hexdigest(), document_masked="******0001",
    registered_address=home.address, registered_building=home, verified_at=now)
print(discussion.pk, create_api_token(user=person, name="bench"))
"""

CHECK = """
from cityhall.discussions.models import Discussion, Proposal
d = Discussion.objects.get()
rows = Proposal.objects.filter(discussion=d).order_by("number")
numbers = list(rows.values_list("number", flat=True))
print(len(numbers), int(numbers == list(range(1, len(numbers) + 1))), d.proposal_count)
"""

WRK_SCRIPT = """
local counter = 0
local me = tostring({}):sub(-8)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(auth)s
request = function()
  counter = counter + 1
  local body = string.format(
    '{"kind":"proposal","text":"Предлагаю сохранить сквер у школы, предложение %%s-%%d"}',
    me, counter)
  return wrk.format(nil, nil, nil, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"status":%%d,"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def load_wrk(name, url, headers, seconds, connections, workdir: Path) -> Result:
    auth = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script = workdir / f"{name.split()[0]}.lua"
    script.write_text(WRK_SCRIPT % {"auth": auth})
    out = subprocess.run(
        ["wrk", "--threads", "2", "--connections", str(connections), "--duration",
         f"{seconds}s", "--timeout", "10s", "--script", str(script), url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    data = json.loads(next(x for x in out.splitlines() if x.startswith("BENCH "))[6:])
    errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
    return Result(
        name,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
    )


def load_python(name, url, headers, seconds, connections) -> Result:
    """Threads with keep-alive connections; every body is different."""
    target = urllib.parse.urlparse(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    all_headers = {"Content-Type": "application/json", **headers}

    def worker(wid: int) -> None:
        conn, mine, failed, n = None, [], 0, 0
        while time.monotonic() < stop_at:
            n += 1
            body = json.dumps(
                {"kind": "proposal", "text": f"Предложение {wid}-{n}", "message": "bench"}
            ).encode()
            if conn is None:
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            began = time.perf_counter()
            try:
                conn.request("POST", target.path, body=body, headers=all_headers)
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
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(
        name, len(latencies), time.monotonic() - began, cuts[49] * 1000, cuts[98] * 1000, errors[0]
    )


def measure(database_url: str | None, args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-proposals-"))
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
    cityhall = [PYTHON, "-m", "cityhall"]
    try:
        run([*cityhall, "migrate", "--noinput", "-v", "0"], project_env)
        run([PYTHON, "-m", "django", "migrate", "--noinput", "-v", "0"], bare_env)
        discussion_id, token = (
            run([*cityhall, "shell", "--no-imports", "-c", SETUP], project_env)
            .strip()
            .splitlines()[-1]
            .split()
        )
        use_wrk = shutil.which("wrk") is not None and not args.python_load
        print(
            f"{'PostgreSQL' if database_url else 'SQLite (WAL)'}; gunicorn sync workers="
            f"{args.workers}; {args.connections} connections; {args.duration} s per run; "
            f"load: {'wrk' if use_wrk else 'python threads'}; {os.cpu_count()} CPUs"
        )

        def load(name, url, headers):
            loader = load_wrk if use_wrk else load_python
            extra = (workdir,) if use_wrk else ()
            if args.warmup:
                loader(f"{name} warm-up", url, headers, args.warmup, args.connections, *extra)
            return loader(name, url, headers, args.duration, args.connections, *extra)

        with Gunicorn("bare_app.wsgi:application", bare_env, args.workers) as server:
            bare = load("bare insert", server.url + "/rows", {})
        print(bare.line())
        with Gunicorn("cityhall.wsgi:application", project_env, args.workers) as server:
            url = f"{server.url}/api/v1/discussions/{discussion_id}/proposals"
            proposals = load("proposal submit", url, {"Authorization": f"Bearer {token}"})
        print(proposals.line())
        ratio = proposals.rate / bare.rate if bare.rate else 0.0
        print(
            f"ratio proposal / bare: throughput {ratio:.3f} (target ≥ {TARGET_RATIO}), "
            f"p99 {proposals.p99_ms / bare.p99_ms:.1f}x"
        )
        count, gap_free, counter = run(
            [*cityhall, "shell", "--no-imports", "-c", CHECK], project_env
        ).split()[-3:]
        verified = run([*cityhall, "verify_audit"], project_env).strip().splitlines()[-1]
        print(
            f"registered {count} proposals, numbers gap-free: {gap_free == '1'}, counter "
            f"{counter}; {verified}"
        )
        if proposals.errors or bare.errors or gap_free != "1":
            raise SystemExit("errors during the run (see above)")
        if ratio < TARGET_RATIO:
            print("TARGET MISSED")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
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
        script = REPO_DIR / "scripts" / "with-postgres"
        raise SystemExit(subprocess.call([str(script), PYTHON, *sys.argv], cwd=REPO_DIR))
    with FreshPostgres(url) as fresh_url:
        measure(fresh_url, args)


if __name__ == "__main__":
    main()
