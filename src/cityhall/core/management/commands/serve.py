"""``cityhall serve``: gunicorn (sync workers = cores), the huey worker and the inbox worker.

Sync workers are what reached the ceilings in BASELINES; threads doubled p99 for no gain.
Ctrl-C or SIGTERM stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app with gunicorn and run the background worker (huey)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start huey and the inbox worker"
        )

    def handle(self, *args, host, port, workers, no_worker, **options):
        python = sys.executable
        procs: list[subprocess.Popen] = []
        if not no_worker:
            procs.append(subprocess.Popen([python, "-m", "cityhall", "run_huey", "--workers", "2"]))
            procs.append(subprocess.Popen([python, "-m", "cityhall", "run_inbox"]))
        procs.append(
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "cityhall.wsgi",
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "sync",
                    "--access-logfile",
                    "-",
                ]
            )
        )
        self.stdout.write(self.style.SUCCESS(f"cityhall is serving on http://{host}:{port}/"))
        # SIGTERM (a service manager, `kill`) stops the children too, as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
