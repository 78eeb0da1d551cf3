"""``cityhall serve``: gunicorn (sync workers = cores), the huey worker and the inbox worker.

Sync workers are what reached the ceilings in BASELINES; threads doubled p99 for no gain.

This command supervises its children: a background worker (huey, the inbox worker) that exits
is started again after a back-off (1, 2, 4 … 60 seconds while it keeps failing within a
minute of starting), with a log line each time, and the site keeps answering meanwhile;
submissions wait in the inbox, jobs in huey's queue. If gunicorn itself exits, the site is down:
the others are stopped and the command exits with an error for the service manager to act on.
Ctrl-C or SIGTERM stops them all.

It refuses to start with the development secret key while debug is off (``core.security``).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.security import uses_development_secret_key

logger = logging.getLogger("cityhall.serve")

# A child that ran this long before exiting counts as having worked: its back-off starts over.
STABLE_AFTER_SECONDS = 60.0
MAX_BACKOFF_SECONDS = 60.0
POLL_SECONDS = 0.5


@dataclass
class Child:
    """One process ``serve`` runs; ``restart`` says whether it is started again on exit."""

    name: str
    argv: list[str]
    restart: bool
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv)
        self.started_at = time.monotonic()
        self.restart_at = None

    def backoff(self) -> float:
        """Seconds to wait before starting again: doubling while it keeps failing quickly."""
        if time.monotonic() - self.started_at >= STABLE_AFTER_SECONDS:
            self.quick_failures = 0
        delay = min(MAX_BACKOFF_SECONDS, 2.0**self.quick_failures)
        self.quick_failures += 1
        return delay


class Command(BaseCommand):
    help = (
        "Serve the web app with gunicorn and run the background workers (huey, inbox), "
        "restarting a worker that exits."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start huey and the inbox worker"
        )

    def handle(self, *args, host, port, workers, no_worker, **options):
        if uses_development_secret_key():
            raise CommandError(
                "refusing to serve with the development secret key while debug is off: set "
                "CITYHALL_SECRET_KEY to a long random value (deploy/production.env), or "
                "CITYHALL_DEBUG=1 on a developer's machine"
            )
        python = sys.executable
        children: list[Child] = []
        if not no_worker:
            children.append(
                Child("huey worker", [python, "-m", "cityhall", "run_huey", "--workers", "2"], True)
            )
            children.append(Child("inbox worker", [python, "-m", "cityhall", "run_inbox"], True))
        site = Child(
            "gunicorn",
            [
                python, "-m", "gunicorn", "cityhall.wsgi", "--bind", f"{host}:{port}",
                "--workers", str(workers), "--worker-class", "sync", "--access-logfile", "-",
            ],
            False,
        )  # fmt: skip
        children.append(site)
        # SIGTERM (a service manager, `kill`) stops the children too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        site_exit: int | None = None
        try:
            for child in children:
                child.start()
            self.stdout.write(self.style.SUCCESS(f"cityhall is serving on http://{host}:{port}/"))
            site_exit = _supervise(children)
        except KeyboardInterrupt:
            pass
        finally:
            _stop(children)
        if site_exit is not None:
            raise CommandError(f"gunicorn exited with code {site_exit}; the workers were stopped")


def _supervise(children: list[Child]) -> int:
    """Restart background workers as they exit; return gunicorn's exit code when it exits."""
    while True:
        now = time.monotonic()
        for child in children:
            assert child.process is not None
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
                    logger.warning("%s started again (pid %d)", child.name, child.process.pid)
                continue
            code = child.process.poll()
            if code is None:
                continue
            if not child.restart:
                logger.error("%s exited with code %d; stopping", child.name, code)
                return code
            delay = child.backoff()
            child.restart_at = now + delay
            logger.warning(
                "%s (pid %d) exited with code %d; starting it again in %g s",
                child.name, child.process.pid, code, delay,
            )  # fmt: skip
        time.sleep(POLL_SECONDS)


def _stop(children: list[Child]) -> None:
    running = [c.process for c in children if c.process is not None and c.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
