"""What the HTTP benches share: a fresh database (SQLite in WAL mode under a temporary folder,
or a new PostgreSQL database), the migrated project and bench/bare_app, gunicorn (sync workers)
on 127.0.0.1, the load — wrk (Debian package) with a Lua script when installed, else Python
threads with keep-alive connections — and the printed result rows.

A library, imported by the bench scripts; running it does nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PYTHON = sys.executable
CITYHALL = [PYTHON, "-m", "cityhall"]
# What the bare insert (and the support ticket API) receives unless a bench posts its own body.
DEFAULT_BODY = {
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

    def ratio_to(self, other: Result) -> float:
        """Throughput next to ``other``'s (0 when ``other`` did nothing)."""
        return self.rate / other.rate if other.rate else 0.0

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.rate:8.1f} req/s   p50 {self.p50_ms:7.2f} ms   "
            f"p99 {self.p99_ms:7.2f} ms   errors {self.errors}   ({self.requests} requests)"
        )


# --- databases -------------------------------------------------------------------------------


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


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def _with_throwaway_postgres() -> int:
    """Run this script again inside a throw-away PostgreSQL (scripts/with-postgres)."""
    script = REPO_DIR / "scripts" / "with-postgres"
    return subprocess.call([str(script), PYTHON, *sys.argv], cwd=REPO_DIR)


def on_database(args, measure: Callable[[str | None, object], int | None]) -> int | None:
    """``measure(None, args)`` on SQLite, or ``measure(url, args)`` on a fresh PostgreSQL
    database when ``args.database == "postgres"``."""
    if args.database == "sqlite":
        return measure(None, args)
    url = _postgres_url()
    if url is None:
        return _with_throwaway_postgres()
    with FreshPostgres(url) as fresh_url:
        return measure(fresh_url, args)


def in_process(args, prefix: str, measure: Callable[[object], int]) -> int:
    """For benches that call the project in this process: settings for a temporary data
    folder, then ``measure(args)`` on SQLite or on a fresh PostgreSQL database."""
    url = _postgres_url()
    if args.database == "postgres" and url is None:
        return _with_throwaway_postgres()
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["CITYHALL_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cityhall.settings")
    os.environ["CITYHALL_LOG_LEVEL"] = "WARNING"
    if args.database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        try:
            return measure(args)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    with FreshPostgres(url) as fresh_url:
        os.environ["DATABASE_URL"] = fresh_url
        code = measure(args)
        from django.db import connections

        connections.close_all()
        return code


def run(args: list[str], env: dict, **kwargs) -> str:
    done = subprocess.run(args, env=env, cwd=REPO_DIR, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return done.stdout


class Environment:
    """A temporary data folder and database, migrated for the project (and for bench/bare_app
    with ``bare=True``); removed on exit."""

    def __init__(self, database_url: str | None, prefix: str, *, bare: bool = True) -> None:
        self.database_url = database_url
        self.workdir = Path(tempfile.mkdtemp(prefix=prefix))
        env = {
            **os.environ,
            "CITYHALL_DATA_DIR": str(self.workdir),
            "CITYHALL_LOG_LEVEL": "WARNING",
            # one synthetic person sends every submission: no per-person hourly limit
            "CITYHALL_SUBMISSIONS_PER_HOUR": "0",
        }
        if bare:
            paths = [str(BENCH_DIR), os.environ.get("PYTHONPATH")]
            env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        self.project_env = {**env, "DJANGO_SETTINGS_MODULE": "cityhall.settings"}
        self.bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_app.settings"} if bare else None

    @property
    def engine(self) -> str:
        return "PostgreSQL" if self.database_url else "SQLite (WAL)"

    def __enter__(self) -> Environment:
        try:
            self.cityhall("migrate", "--noinput", "-v", "0")
            if self.bare_env:
                run([PYTHON, "-m", "django", "migrate", "--noinput", "-v", "0"], self.bare_env)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def cityhall(self, *args: str) -> str:
        """``cityhall ARGS`` against this database; its standard output."""
        return run([*CITYHALL, *args], self.project_env)

    def shell(self, code: str) -> str:
        """The last line ``code`` printed in ``cityhall shell``."""
        lines = self.cityhall("shell", "--no-imports", "-c", code).strip().splitlines()
        return lines[-1] if lines else ""

    def last_line(self, *args: str) -> str:
        return self.cityhall(*args).strip().splitlines()[-1]

    def project(self, workers: int) -> Gunicorn:
        """The project under gunicorn, with its inbox worker (``cityhall run_inbox``) beside it
        as ``cityhall serve`` runs them: submissions registered in the background use the same
        cores during the measurement."""
        return Gunicorn(
            "cityhall.wsgi:application",
            self.project_env,
            workers,
            companion=[*CITYHALL, "run_inbox", *os.environ.get("BENCH_INBOX_ARGS", "").split()],
        )

    def wait_for_inbox(self, timeout: float = 120) -> str:
        """Wait until the inbox has nothing pending; a line saying how long that took."""
        started = time.monotonic()
        code = "from cityhall.core import inbox; print(inbox.pending_count())"
        while True:
            pending = int(self.shell(code) or 0)
            waited = time.monotonic() - started
            if pending == 0:
                return f"inbox: nothing pending {waited:.1f} s after the load"
            if waited > timeout:
                return f"inbox: {pending} still pending {waited:.0f} s after the load"
            time.sleep(0.5)

    def bare(self, workers: int) -> Gunicorn:
        return Gunicorn("bare_app.wsgi:application", self.bare_env, workers)


# --- servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    def __init__(self, app: str, env: dict, workers: int, companion: list[str] | None = None):
        self.companion_args = companion
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
        self.companion = None
        if self.companion_args:
            self.companion = subprocess.Popen(self.companion_args, env=self.env, cwd=REPO_DIR)
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
        self.__exit__()
        raise SystemExit(f"gunicorn {self.args[3]} did not answer /healthz")

    def __exit__(self, *exc) -> None:
        for proc in filter(None, [self.proc, self.companion]):
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# --- load ------------------------------------------------------------------------------------

WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,' ..
    '"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass
class Load:
    """What each request sends, for both load generators.

    ``body``: bytes, or ``(worker id, request n) -> bytes`` for bodies that must differ (the
    wrk side then needs a ``request()`` function in ``wrk_lua``); ``path``: ``(worker id,
    request n) -> path`` when the path varies (likewise in ``wrk_lua``); ``expect``: the one
    status that counts as success (default: any below 400)."""

    method: str = "POST"
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Callable[[int, int], bytes] | None = None
    path: Callable[[int, int], str] | None = None
    wrk_lua: str = ""
    expect: int | None = None
    timeout: float = 10  # the Python generator's; wrk waits 10 s

    def lua(self) -> str:
        lines = [self.wrk_lua.strip("\n")] if self.wrk_lua.strip() else []
        lines.append(f"wrk.method = {json.dumps(self.method)}")
        if isinstance(self.body, bytes):
            lines.append(f"wrk.body = {json.dumps(self.body.decode())}")
        lines += [f'wrk.headers["{k}"] = "{v}"' for k, v in self.headers.items()]
        return "\n".join(lines) + "\n" + WRK_DONE


def json_load(body: dict, headers: dict[str, str] | None = None) -> Load:
    """POST the same JSON body every time."""
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return Load(headers=all_headers, body=json.dumps(body).encode())


def load_with_wrk(name: str, url: str, load: Load, seconds, connections, workdir: Path) -> Result:
    script = workdir / f"{name.split()[0]}.lua"
    script.write_text(load.lua())
    out = subprocess.run(
        ["wrk", "--threads", "2", "--connections", str(connections), "--duration",
         f"{max(1, int(seconds))}s", "--timeout", "10s", "--script", str(script),
         url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
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


def load_with_python(
    name: str, url: str, load: Load, seconds, connections, max_requests: int = 200_000
) -> Result:
    """``connections`` threads, each a keep-alive connection, bounded by time and count;
    gunicorn's sync workers close after each answer, so threads reconnect then."""
    target = urllib.parse.urlparse(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(wid: int) -> None:
        conn, mine, failed, n = None, [], 0, 0
        while time.monotonic() < stop_at and len(latencies) + len(mine) < max_requests:
            n += 1
            body = load.body(wid, n) if callable(load.body) else load.body
            path = load.path(wid, n) if load.path else target.path
            if conn is None:
                conn = http.client.HTTPConnection(
                    target.hostname, target.port, timeout=load.timeout
                )
            began = time.perf_counter()
            try:
                conn.request(load.method, path, body=body, headers=load.headers)
                response = conn.getresponse()
                response.read()
                if load.expect is None:
                    failed += response.status >= 400
                else:
                    failed += response.status != load.expect
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
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Result(name, len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors[0])


class Loader:
    """wrk unless it is missing or ``args.python_load``; a warm-up of ``args.warmup`` seconds,
    then ``args.duration`` measured, with ``args.connections`` connections."""

    def __init__(self, args, workdir: Path) -> None:
        self.args = args
        self.workdir = workdir
        self.use_wrk = shutil.which("wrk") is not None and not args.python_load

    @property
    def generator(self) -> str:
        return "wrk" if self.use_wrk else "python threads"

    def once(self, name: str, url: str, load: Load, seconds, connections: int) -> Result:
        if self.use_wrk:
            return load_with_wrk(name, url, load, seconds, connections, self.workdir)
        return load_with_python(name, url, load, seconds, connections)

    def __call__(self, name: str, url: str, load: Load) -> Result:
        if self.args.warmup:
            self.once(f"{name} warm-up", url, load, self.args.warmup, self.args.connections)
        return self.once(name, url, load, self.args.duration, self.args.connections)

    def describe(self, engine: str) -> None:
        """The set-up line every HTTP bench prints first."""
        args = self.args
        print(
            f"{engine}; gunicorn sync workers={args.workers}; {args.connections} connections; "
            f"{args.duration} s per run; load: {self.generator}; {os.cpu_count()} CPUs"
        )


def bare_insert(env: Environment, load: Loader, workers: int, body=DEFAULT_BODY) -> Result:
    """The baseline: ``body`` POSTed to bench/bare_app's /rows; prints its row."""
    with env.bare(workers) as server:
        bare = load("bare insert", server.url + "/rows", json_load(body))
    print(bare.line())
    return bare


def add_load_options(parser) -> None:
    """The options of the write benches: --database, --duration, --warmup, --connections,
    --workers, --python-load."""
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before each")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")


def add_rounds_option(parser) -> None:
    """``--rounds``, for the benches that repeat their measurements (they use :func:`median_of`)."""
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure the baseline and the endpoint this many times, alternating; the ratio "
        "judged is the median (single runs swing by ±0.03 on a shared machine)",
    )


def median_of(ratios: list[float]) -> float:
    """The ratio a bench judges: the median of its rounds (see ``--rounds``)."""
    return statistics.median(ratios)


def stop_cleanly_on_sigterm() -> None:
    """SIGTERM (``kill``, a timeout) unwinds like Ctrl-C, so the servers, the inbox worker and
    the temporary folder are removed instead of left running."""

    def _exit(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGTERM, _exit)


def main(
    doc: str, measure: Callable[[str | None, object], int | None], *, rounds: bool = False
) -> int | None:
    """A write bench's command line: the load options (and ``--rounds`` if the bench repeats
    its measurements), then ``measure`` on the database."""
    stop_cleanly_on_sigterm()
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    add_load_options(parser)
    if rounds:
        add_rounds_option(parser)
    return on_database(parser.parse_args(), measure)
