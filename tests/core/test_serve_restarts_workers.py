"""`cityhall serve` supervises its background workers: one that dies (a crash, the OOM killer)
is started again after a back-off with a log line, and the site keeps answering meanwhile.
Before, killing the inbox worker stopped gunicorn with it."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from .processes import child_env


def _children(pid: int) -> dict[int, str]:
    """The live child processes of ``pid``: their ids and command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(entry.name)] = cmdline
    return found


def _inbox_worker(server_pid: int) -> int | None:
    return next((p for p, cmd in _children(server_pid).items() if "run_inbox" in cmd), None)


def _healthz(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
        return answer.status


def test_serve_restarts_a_killed_inbox_worker_while_the_site_keeps_answering(migrated_data_dir):
    tmp_path = migrated_data_dir
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**child_env(tmp_path), "CITYHALL_SECRET_KEY": secrets.token_urlsafe(50)}
    log = tmp_path / "serve.log"
    with log.open("w") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "cityhall", "serve", "--port", str(port), "--workers", "1"],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert _healthz(port) == 200
                first = _inbox_worker(server.pid)
                if first is not None:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "serve did not answer"
            time.sleep(0.3)

        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, "serve stopped when its inbox worker died"
            assert _healthz(port) == 200  # the site answers all along
            second = _inbox_worker(server.pid)
            if second not in (None, first):
                break
            assert time.monotonic() < deadline, "the inbox worker was not started again"
            time.sleep(0.3)
        assert _healthz(port) == 200
        assert f"inbox worker (pid {first}) exited with code -9; starting it again" in (
            log.read_text()
        )
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
