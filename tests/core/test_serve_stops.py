"""`cityhall serve` and `cityhall run_inbox` stop on SIGTERM (a service manager's stop), children
included, without waiting out a poll interval."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from .processes import child_env


def _gone(pgid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def test_run_inbox_stops_at_once_on_sigterm(tmp_path):
    worker = subprocess.Popen(
        [sys.executable, "-m", "cityhall", "run_inbox", "--poll", "1000", "--priority", "normal"],
        env=child_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        # its handlers are installed once it says so (starting takes seconds on a busy machine)
        assert worker.stdout.readline().strip() == "inbox worker ready"
        began = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0
        assert time.monotonic() - began < 5
    finally:
        worker.kill()


def test_serve_stops_its_workers_on_sigterm(migrated_data_dir):
    # /healthz answers ok only from a migrated database (it counts the inbox's items)
    tmp_path = migrated_data_dir
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**child_env(tmp_path), "CITYHALL_SECRET_KEY": secrets.token_urlsafe(50)}
    server = subprocess.Popen(
        [sys.executable, "-m", "cityhall", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        # generous: starting gunicorn and its worker takes many seconds on a loaded machine
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.3)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        assert _gone(server.pid, 20), "a child of cityhall serve outlived it"
    finally:
        if not _gone(server.pid, 0):
            os.killpg(server.pid, signal.SIGKILL)
