"""What distribution costs, and what a read replica takes off the primary, on one machine.

On one host more nodes add no cores, so the question is the overhead: the same page load against

- **4 nodes × 1 worker** behind nginx (scripts/cluster: Redis sessions and cache, the replica on),
- **1 node × 4 workers**, no nginx, same PostgreSQL (target: 4×1 ≥ 0.85 of this),

and then the read-heavy load through nginx with the replica against without it, reporting the
replica's share of the database's transactions (pg_stat_database on both servers).

    .venv/bin/python bench/cluster_overhead.py [--seconds 10] [--connections 16]

Needs Debian's postgresql, redis-server, nginx and wrk. Starts its own cluster
(CITYHALL_CLUSTER_PORT=58500 unless set) and stops it at the end.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.harness import Load, load_with_wrk  # noqa: E402

PAGES = ("/requests/", "/open311/v2/services.json", "/discussions/")


def _script():
    loader = importlib.machinery.SourceFileLoader("cluster", str(REPO / "scripts" / "cluster"))
    spec = importlib.util.spec_from_loader("cluster", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _commits(state, name: str) -> int:
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(state["ports"][name]), "-U", "cityhall", "-d",
         "cityhall", "-Atc", "SELECT xact_commit FROM pg_stat_database WHERE datname='cityhall'"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.split()[-1])


def _pages_load() -> Load:
    paths = json.dumps(list(PAGES))
    return Load(
        method="GET",
        path=lambda worker, n: PAGES[n % len(PAGES)],
        wrk_lua=(
            f"local paths = {paths.replace('[', '{').replace(']', '}')}\n"
            "local n = 0\n"
            "request = function()\n  n = n + 1\n"
            "  return wrk.format('GET', paths[(n % #paths) + 1])\nend\n"
        ),
    )


def _restart_nodes(script, state, *, nodes: int, workers: int, replica: bool) -> None:
    for index in range(1, state["nodes"] + 1):
        script.kill_node(state, index, 15)
    state.update(nodes=nodes, workers=workers, replica=replica)
    for index in range(1, nodes + 1):
        script.start_node(state, index)
    script._save(state)  # so that `down` finds the new nodes' process groups and stops them
    for index in range(1, nodes + 1):
        script.wait_for_node(state, index)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    os.environ.setdefault("CITYHALL_CLUSTER_PORT", "58500")
    folder = tempfile.mkdtemp(prefix="cityhall-bench-cluster-")
    os.chmod(folder, 0o755)
    os.environ["CITYHALL_CLUSTER_DIR"] = folder
    os.environ["CITYHALL_LOG_LEVEL"] = "WARNING"
    script = _script()
    workdir = Path(folder)
    try:
        state = script.up(nodes=4, workers=1, replica=True)
        subprocess.run([str(REPO / ".venv/bin/python"), "-m", "tests.cluster.seed"],
                       env=script.node_environment(state), cwd=REPO, check=True,
                       capture_output=True)  # fmt: skip
        lb = f"http://127.0.0.1:{state['ports']['nginx']}"
        node1 = f"http://{script.node_address(1)}:{state['ports']['node']}"
        load = _pages_load()

        def run(name: str, url: str):
            load_with_wrk(name, url, load, 2, args.connections, workdir)  # warm-up
            before = _commits(state, "replica"), _commits(state, "primary")
            result = load_with_wrk(name, url, load, args.seconds, args.connections, workdir)
            after = _commits(state, "replica"), _commits(state, "primary")
            replica, primary = after[0] - before[0], after[1] - before[1]
            share = replica / max(1, replica + primary)
            print(f"{name:38} {result.rate:8.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
                  f"p99 {result.p99_ms:6.1f} ms  errors {result.errors}  "
                  f"replica share {share:.2f}", flush=True)  # fmt: skip
            return result

        spread = run("4 nodes x 1 worker, nginx, replica", lb)
        _restart_nodes(script, state, nodes=4, workers=1, replica=False)
        no_replica = run("4 nodes x 1 worker, nginx, no replica", lb)
        _restart_nodes(script, state, nodes=1, workers=4, replica=False)
        single = run("1 node x 4 workers, no nginx", node1)
        print(f"4x1 behind nginx / 1x4: {no_replica.rate / single.rate:.2f} (target >= 0.85)")
        print(f"replica on / off (4x1): {spread.rate / no_replica.rate:.2f}")
    finally:
        script.down()


if __name__ == "__main__":
    main()
