"""How much does a real API write cost next to the cheapest Django write, on the same machine,
database and server set-up, in one run?

  (a) bare:    POST /rows to bench/bare_app — no middleware, parse JSON, INSERT one row.
  (b) project: POST /api/v1/support/tickets with a bearer token — middleware, token lookup,
               validation, gap-free ticket number, audit-chain append; measured twice: with
               no administrator, then with one (notify(): template rendering, outbox rows for
               each channel, a huey job enqueued on commit).

Both are served by gunicorn (sync workers, 2 by default) on 127.0.0.1 from a fresh temporary
database: SQLite in WAL mode by default, or PostgreSQL with ``--database postgres`` (a fresh
database on the server named by DATABASE_URL; without one, a throw-away server from
scripts/with-postgres). Load: wrk (Debian package) with a Lua script when installed, else a
Python load generator (threads, keep-alive). Prints req/s, p50/p99 and errors of both, and the
ratios. After the run, the audit chain is verified.

    .venv/bin/python bench/api_write_vs_bare_insert.py [--database postgres] [--duration 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable
BODY = {
    "topic": "technical",
    "message": "The map does not open on my phone after the last update.",
    "page_url": "bench",
}


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.rate:8.1f} req/s   p50 {self.p50_ms:7.2f} ms   "
            f"p99 {self.p99_ms:7.2f} ms   errors {self.errors}   ({self.requests} requests)"
        )


# --- database ----------------------------------------------------------------------------------


class FreshPostgres:
    """A new database on the server of DATABASE_URL, dropped afterwards."""

    def __init__(self, url: str) -> None:
        import psycopg

        self._psycopg = psycopg
        self.server = urllib.parse.urlparse(url)
        self.name = f"cityhall_bench_{os.getpid()}"
        self.url = self.server._replace(path=f"/{self.name}").geturl()
        self._admin_url = self.server._replace(path="/postgres").geturl()

    def __enter__(self) -> str:
        with self._psycopg.connect(self._admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc) -> None:
        with self._psycopg.connect(self._admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(args: list[str], env: dict, **kwargs) -> str:
    done = subprocess.run(args, env=env, cwd=REPO_DIR, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return done.stdout


class Gunicorn:
    def __init__(self, app: str, env: dict, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            PYTHON,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ]
        self.env = env

    def __enter__(self) -> Gunicorn:
        self.proc = subprocess.Popen(self.args, env=self.env, cwd=REPO_DIR)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn {self.args[3]} exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn {self.args[3]} did not answer /healthz")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --- load generators ---------------------------------------------------------------------------

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %(body)s
wrk.headers["Content-Type"] = "application/json"
%(auth)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"status":%%d,"connect":%%d,"read":%%d,"write":%%d,"timeout":%%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def load_with_wrk(name, url, headers, seconds, connections, workdir: Path) -> Result:
    auth = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    script = workdir / f"{name.split()[0]}.lua"
    script.write_text(WRK_SCRIPT % {"body": json.dumps(json.dumps(BODY)), "auth": auth})
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
    line = next(raw for raw in out.splitlines() if raw.startswith("BENCH "))
    data = json.loads(line[len("BENCH ") :])
    errors = sum(data[k] for k in ("status", "connect", "read", "write", "timeout"))
    return Result(
        name,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
    )


def load_with_python(name, url, headers, seconds, connections, max_requests=200_000) -> Result:
    """Fallback: ``connections`` threads, each a keep-alive connection, bounded by time and
    count; gunicorn's sync workers close after each answer, so threads reconnect then."""
    target = urllib.parse.urlparse(url)
    body = json.dumps(BODY).encode()
    all_headers = {"Content-Type": "application/json", **headers}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        conn = None
        mine: list[float] = []
        failed = 0
        while time.monotonic() < stop_at and len(latencies) + len(mine) < max_requests:
            if conn is None:
                conn = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
            began = time.perf_counter()
            try:
                conn.request("POST", target.path, body=body, headers=all_headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
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
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(name, len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors[0])


# --- the run -----------------------------------------------------------------------------------

SETUP = """
from cityhall.accounts.models import Membership, Organisation, User
from cityhall.accounts.tokens import create_api_token
admin = User.objects.create_user("bench-admin", email="admin@bench.invalid", kind="staff")
office = Organisation.objects.create(name="Portal office", type="executive_department")
resident = User.objects.create_user("bench-resident", email="resident@bench.invalid",
                                    first_name="Bench", last_name="Resident")
print(create_api_token(user=resident, name="bench"))
"""

ADD_ADMINISTRATOR = """
from cityhall.accounts.models import Membership, Organisation, User
Membership.objects.create(user=User.objects.get(username="bench-admin"),
                          organisation=Organisation.objects.get(name="Portal office"),
                          role="administrator")
"""

COUNT_ROWS = """
from cityhall.portal.models import SupportTicket
from cityhall.notifications.models import Message
print(SupportTicket.objects.count(), Message.objects.count())
"""


def measure(database_url: str | None, args) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cityhall-bench-"))
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
        token = (
            run([*cityhall, "shell", "--no-imports", "-c", SETUP], project_env)
            .strip()
            .splitlines()[-1]
        )

        use_wrk = shutil.which("wrk") is not None and not args.python_load
        engine = "PostgreSQL" if database_url else "SQLite (WAL)"
        generator = "wrk" if use_wrk else "python threads"
        print(
            f"{engine}; gunicorn sync workers={args.workers}; {args.connections} connections; "
            f"{args.duration} s per run; load: {generator}; {os.cpu_count()} CPUs"
        )

        def load(name, url, headers):
            if args.warmup:
                load_once(f"{name} warm-up", url, headers, args.warmup)
            return load_once(name, url, headers, args.duration)

        def load_once(name, url, headers, seconds):
            if use_wrk:
                return load_with_wrk(name, url, headers, seconds, args.connections, workdir)
            return load_with_python(name, url, headers, seconds, args.connections)

        with Gunicorn("bare_app.wsgi:application", bare_env, args.workers) as server:
            bare = load("bare insert", server.url + "/rows", {})
        print(bare.line())
        results = [bare]
        with Gunicorn("cityhall.wsgi:application", project_env, args.workers) as server:
            url = server.url + "/api/v1/support/tickets"
            auth = {"Authorization": f"Bearer {token}"}
            results.append(load("API, no one to notify", url, auth))
            print(results[-1].line())
            run([*cityhall, "shell", "--no-imports", "-c", ADD_ADMINISTRATOR], project_env)
            results.append(load("API, 1 admin notified", url, auth))
            print(results[-1].line())

        for api in results[1:]:
            print(
                f"ratio {api.name!r} / bare: throughput {api.rate / bare.rate:.3f}, "
                f"p50 {api.p50_ms / bare.p50_ms:.1f}x, p99 {api.p99_ms / bare.p99_ms:.1f}x"
            )
        counts = (
            run([*cityhall, "shell", "--no-imports", "-c", COUNT_ROWS], project_env)
            .strip()
            .splitlines()
        )
        tickets, messages = counts[-1].split()
        verified = run([*cityhall, "verify_audit"], project_env).strip().splitlines()[-1]
        print(f"written: {tickets} tickets, {messages} outbox messages; {verified}")
        if any(result.errors for result in results):
            raise SystemExit("errors during the run (see above)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()

    if args.database == "sqlite":
        measure(None, args)
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        # No server given: run this script again inside a throw-away PostgreSQL.
        script = REPO_DIR / "scripts" / "with-postgres"
        raise SystemExit(subprocess.call([str(script), PYTHON, *sys.argv], cwd=REPO_DIR))
    with FreshPostgres(url) as fresh_url:
        measure(fresh_url, args)


if __name__ == "__main__":
    main()
