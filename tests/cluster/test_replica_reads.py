"""Anonymous reading goes to the streaming replica; whoever just wrote reads the primary; a
replica that lags or stops is left out, with no error for any reader (core.replicas)."""

from __future__ import annotations

import subprocess
import threading
import time

import pytest
import requests

from cityhall.core.replicas import READ_FROM_HEADER as READ_FROM
from tests.cluster.staff_client import signed_in

pytestmark = pytest.mark.cluster


def _on_replica(state, sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(state["ports"]["replica"]), "-U",
                    "cityhall", "-d", "cityhall", "-Atc", sql], check=True,
                   capture_output=True)  # fmt: skip


def _node(script, state, index: int = 1) -> str:
    return f"http://{script.node_address(index)}:{state['ports']['node']}"


def _replica_share(http: requests.Session, url: str, count: int = 20) -> float:
    """The part of ``count`` reads of ``url`` answered from a replica."""
    answers = [http.get(url, timeout=10) for _ in range(count)]
    assert all(answer.ok for answer in answers)
    return sum(1 for answer in answers if answer.headers.get(READ_FROM)) / count


def test_anonymous_pages_read_from_the_replica_and_a_writer_reads_the_primary(cluster):
    script, state, seed = cluster
    node = _node(script, state)
    lists = f"{node}/open311/v2/services.json"
    assert _replica_share(requests.Session(), lists) == 1
    assert _replica_share(requests.Session(), f"{node}/requests/") == 1
    # Health checks (and receipts, sign-in, the admin) read the primary.
    assert _replica_share(requests.Session(), f"{node}/healthz") == 0

    # A browser that has just sent a form carries the mark: its reads go to the primary.
    writer = requests.Session()
    writer.get(f"{node}/", timeout=10)
    sent = writer.post(f"{node}/i18n/setlang/", {"language": "en", "next": "/",
                       "csrfmiddlewaretoken": writer.cookies.get("csrftoken", "")},
                       timeout=10, allow_redirects=False)  # fmt: skip
    assert "cityhall_primary_until" in sent.cookies

    assert _replica_share(writer, lists) == 0


def test_a_lagging_replica_is_left_out_until_it_catches_up(cluster):
    script, state, seed = cluster
    node = _node(script, state)
    http = requests.Session()
    _on_replica(state, "SELECT pg_wal_replay_pause()")
    try:
        # The primary moves on (a submission); the paused replica falls behind past the limit
        # (CITYHALL_REPLICA_MAX_LAG_SECONDS=2 in this cluster).
        http.post(
            f"{node}/open311/v2/requests.json",
            {
                "api_key": seed["api_key"],
                "service_code": "leak",
                "lat": "55.78001",
                "long": "49.05001",
                "description": "Lag",
                "email": "lag@example.org",
            },
            timeout=10,
        )
        time.sleep(3.5)

        assert _replica_share(requests.Session(), f"{node}/open311/v2/services.json") == 0
    finally:
        _on_replica(state, "SELECT pg_wal_replay_resume()")
    time.sleep(3.5)  # caught up; checked again after the pause

    assert _replica_share(requests.Session(), f"{node}/open311/v2/services.json") == 1


def test_no_one_gets_an_error_when_the_replica_stops_mid_load(cluster):
    """Anonymous readers (on the replica), a signed-in dispatcher (on the primary) and Open311
    writers, all through nginx, while the replica stops."""
    script, state, seed = cluster
    lb = f"http://127.0.0.1:{state['ports']['nginx']}"
    codes: list[int] = []
    stop = threading.Event()

    def reader():
        with requests.Session() as http:
            while not stop.is_set():
                for path in ("/requests/", "/open311/v2/services.json"):
                    codes.append(http.get(f"{lb}{path}", timeout=10).status_code)

    def dispatcher():
        with signed_in(lb, seed["login"], seed["password"]) as http:
            while not stop.is_set():
                codes.append(http.get(f"{lb}/requests/staff/queue/", timeout=10).status_code)

    def writer():
        n = 0
        with requests.Session() as http:
            while not stop.is_set():
                n += 1
                answer = http.post(
                    f"{lb}/open311/v2/requests.json",
                    {"api_key": seed["api_key"], "service_code": "leak", "lat": "55.78001",
                     "long": "49.05001", "description": f"During the replica's stop {n}",
                     "email": f"replica-{n}@example.org"},
                    timeout=10,
                )  # fmt: skip
                codes.append(answer.status_code)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    threads += [threading.Thread(target=dispatcher), threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    script.stop_replica()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(30)
    try:
        assert codes and set(codes) == {200, 202}, sorted(set(codes))
    finally:
        script.start_replica(state)
