"""Three stateless nodes behind nginx on one PostgreSQL (with a streaming replica) and Redis,
under mixed load — Open311 and API submissions, page reads, a dispatcher reading and an executor
taking and resolving requests through the staff pages — with one node killed (-9) and one inbox
worker killed mid-load: nothing acknowledged is lost or registered twice, numbers stay gap-free,
every staff move is audited and the audit chains verify, every periodic job ran once per minute,
and a session works on every node."""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.cluster.staff_client import (
    MANAGED_POINT,
    act,
    cookie_header,
    cookies,
    psql,
    signed_in,
)

pytestmark = pytest.mark.cluster

LOAD_SECONDS = 12
KILL_AFTER = 4


def _kill_an_inbox_worker(state, index: int) -> int:
    """kill -9 the inbox worker of node ``index`` (started again, as systemd would)."""
    out = subprocess.run(["pgrep", "-g", str(state["pids"][f"node{index}"]), "-f",
                          "cityhall run_inbox$"],
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    assert out, "no inbox worker found"
    pid = int(out[0])
    subprocess.run(["kill", "-9", str(pid)], check=True)
    return pid


def test_a_cluster_loses_and_doubles_nothing_when_a_node_and_a_worker_are_killed(cluster):
    script, state, seed = cluster
    lb = f"http://127.0.0.1:{state['ports']['nginx']}"
    # Requests the other tests of this cluster made before this one.
    (earlier,) = psql(state, "SELECT count(*) FROM service_requests_servicerequest")[0]
    nodes = [f"http://{script.node_address(i)}:{state['ports']['node']}" for i in (1, 2, 3)]

    # A session started on one node is honoured by every node (sessions live in Redis and
    # the database, not in a node).
    staff = signed_in(nodes[0], seed["login"], seed["password"])
    cookie = cookie_header(staff)
    for node in nodes:  # each node is another host to the client: the cookie is sent as is
        page = requests.get(f"{node}/requests/staff/queue/", headers={"Cookie": cookie},
                            timeout=10, allow_redirects=False)  # fmt: skip
        assert page.status_code == 200, (node, page.status_code)
    anonymous = requests.get(f"{nodes[2]}/requests/staff/queue/", timeout=10,
                             allow_redirects=False)  # fmt: skip
    assert anonymous.status_code == 302  # the page does need the session
    staff.cookies.clear()
    for name, value in cookies(cookie).items():
        staff.cookies.set(name, value)  # now for nginx's host
    executor_session = signed_in(lb, seed["executor"], seed["password"])

    acknowledged: list[str] = []  # receipt tokens answered 202
    proposals: list[str] = []
    moved: list[tuple[int, str]] = []  # (request, move) the executor's POST made
    statuses: Counter = Counter()
    stop = threading.Event()
    lock = threading.Lock()

    def open311(worker: int) -> None:
        n = 0
        with requests.Session() as http:
            while not stop.is_set():
                n += 1
                try:
                    answer = http.post(f"{lb}/open311/v2/requests.json", {
                        "api_key": seed["api_key"], "service_code": "leak",
                        **MANAGED_POINT,
                        "description": f"Roof leaks {worker}-{n}",
                        "email": f"r{worker}-{n}@example.org"}, timeout=10)  # fmt: skip
                except requests.RequestException:
                    statuses["open311 lost"] += 1
                    continue
                with lock:
                    statuses[f"open311 {answer.status_code}"] += 1
                    if answer.status_code == 202:
                        acknowledged.append(answer.json()[0]["token"])

    def proposal(worker: int) -> None:
        n = 0
        headers = {"Authorization": f"Bearer {seed['token']}"}
        with requests.Session() as http:
            while not stop.is_set():
                n += 1
                try:
                    answer = http.post(
                        f"{lb}/api/v1/discussions/{seed['discussion']}/proposals",
                        json={"text": f"Proposal {worker}-{n}: more trees", "kind": "proposal"},
                        headers=headers, timeout=10,
                    )  # fmt: skip
                except requests.RequestException:
                    statuses["proposal lost"] += 1
                    continue
                with lock:
                    statuses[f"proposal {answer.status_code}"] += 1
                    if answer.status_code == 202:
                        proposals.append(answer.json()["token"])
                time.sleep(0.05)

    def reader() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                for path in ("/requests/", "/open311/v2/services.json", "/discussions/"):
                    try:
                        # A read slowed by a loaded machine is not a lost one: nginx retries
                        # a dead node's reads elsewhere at once; only an error or a read left
                        # hanging half a minute counts as lost.
                        answer = http.get(f"{lb}{path}", timeout=30)
                        statuses[f"read {answer.status_code}"] += 1
                    except requests.RequestException:
                        statuses["read lost"] += 1

    def dispatcher() -> None:
        while not stop.is_set():
            try:
                answer = staff.get(f"{lb}/requests/staff/queue/", timeout=10)
                statuses[f"staff {answer.status_code}"] += 1
            except requests.RequestException:
                statuses["staff lost"] += 1
            time.sleep(0.1)

    def executor() -> None:
        """Takes a request from the queue and takes it through to "done" on the staff pages
        (each move: the page, then its form with the CSRF token and version), then the next,
        through nginx like any browser."""
        resolved: set[int] = set()
        current = None
        while not stop.is_set():
            try:
                if current is None:
                    queue = executor_session.get(f"{lb}/requests/staff/queue/", timeout=10)
                    listed = re.findall(r'href="/requests/staff/(\d+)/"', queue.text)
                    current = next((int(pk) for pk in listed if int(pk) not in resolved), None)
                    if current is None:
                        time.sleep(0.2)
                        continue
                outcome = act(executor_session, lb, current)
            except requests.RequestException:
                statuses["executor lost"] += 1
                continue
            if outcome is None:  # nothing left to do on it
                resolved.add(current)
                current = None
                continue
            move, status = outcome
            with lock:
                statuses[f"executor {status}"] += 1
                if status == 302:
                    moved.append((current, move))
            if move == "page" or (move == "done" and status == 302):
                resolved.add(current)  # done, or a page refused (reported above)
                current = None

    threads = [threading.Thread(target=open311, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=proposal, args=(1,)), threading.Thread(target=reader)]
    threads += [threading.Thread(target=dispatcher), threading.Thread(target=executor)]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER)
    script.kill_node(state, 2)  # kill -9 the whole node: gunicorn, huey, inbox worker
    _kill_an_inbox_worker(state, 3)
    time.sleep(LOAD_SECONDS - KILL_AFTER)
    stop.set()
    for thread in threads:
        thread.join(30)

    assert acknowledged and proposals, statuses
    assert any(move == "done" for _pk, move in moved), (moved, statuses)
    # Nothing but acknowledgements and the odd request cut off with its node (never a 5xx
    # from a node that was alive, never a refusal, never a CSRF failure or a conflict).
    refused = ("500", "400", "403", "409", "429")
    assert not {key for key in statuses if key.endswith(refused)}, statuses

    # The surviving nodes' inbox workers register everything, the dead node's share too.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pending = psql(state, "SELECT count(*) FROM core_inboxitem WHERE state = 'pending'")
        if pending[0][0] == "0":
            break
        time.sleep(0.5)
    rows = psql(state, "SELECT token, state, ref FROM core_inboxitem")
    by_token = {token: (state_, ref) for token, state_, ref in rows}
    for token in acknowledged + proposals:
        assert by_token[token][0] == "done", by_token[token]
    refs = [ref for _token, state_, ref in rows if state_ == "done"]
    assert len(refs) == len(set(refs))  # no number given twice
    numbers = [row[0] for row in psql(state, "SELECT number FROM service_requests_servicerequest")]
    registered = sum(1 for token in acknowledged if by_token[token][0] == "done")
    assert len(numbers) == int(earlier) + registered
    serials = sorted(int(number.rsplit("-", 1)[-1]) for number in numbers)
    assert serials == list(range(serials[0], serials[0] + len(serials)))  # gap-free

    # The audit chain, appended to by every node at once, verifies in one command.
    verified = subprocess.run(
        [str(script.BIN / "cityhall"), "verify_audit"],
        env=script.node_environment(state), capture_output=True, text=True,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr
    chains = re.search(r"verified in (\d+) chain", verified.stdout)
    assert chains and int(chains.group(1)) > 1, verified.stdout  # writers spread over chains

    # Every move the executor made through the staff pages is in the audit trail, by them.
    executor_id = int(seed["executor_id"])
    audited = {
        (int(object_id), action.removeprefix("service_requests."))
        for object_id, action in psql(
            state,
            "SELECT object_id, action FROM core_auditrecord WHERE actor_id = "
            f"{executor_id} AND object_type = 'service_requests.servicerequest' AND action IN "
            "('service_requests.accepted', 'service_requests.in_work', 'service_requests.done')",
        )
    }
    assert set(moved) <= audited, set(moved) - audited
    history = {
        (int(pk), to)
        for pk, to in psql(
            state,
            "SELECT request_id, to_status FROM service_requests_statuschange "
            f"WHERE actor_id = {executor_id} AND to_status IN ('accepted', 'in_work', 'done')",
        )
    }
    assert history == audited  # nothing changed unaudited, nothing audited that did not happen

    # Every periodic job was enqueued once per minute across the three nodes' schedulers.
    enqueued: Counter = Counter()
    for log in Path(script.state_dir()).glob("node*.log"):
        for line in log.read_text(errors="replace").splitlines():
            match = re.match(
                r"\d{4}-\d\d-\d\d (\d\d:\d\d):\d\d,\d+ INFO huey\.consumer\.Scheduler "
                r"Enqueueing periodic task (\S+):", line)  # fmt: skip
            if match:
                enqueued[match.group(2), match.group(1)] += 1
    assert enqueued, "no periodic job ran"
    assert set(enqueued.values()) == {1}, enqueued

    # The killed node's absence did not reach the readers: nginx sent them elsewhere.
    assert statuses["read 200"] > 0 and statuses["read lost"] == 0, statuses
