"""One cluster (scripts/cluster) for every test in this folder: 3 nodes behind nginx, a
PostgreSQL primary and streaming replica, Redis. Started once, stopped at the end."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def load_cluster_script():
    """scripts/cluster as a module (it has no .py suffix: it is a command)."""
    path = REPO / "scripts" / "cluster"
    loader = importlib.machinery.SourceFileLoader("cityhall_cluster", str(path))
    spec = importlib.util.spec_from_loader("cityhall_cluster", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def cluster():
    """(script module, state, seed data); the environment below is the nodes'."""
    # Not pytest's temporary folder: PostgreSQL runs as its own user, who must reach this one.
    folder = tempfile.mkdtemp(prefix="cityhall-cluster-")
    os.chmod(folder, 0o755)
    overrides = {
        "CITYHALL_CLUSTER_PORT": os.environ.get("CITYHALL_TEST_CLUSTER_PORT", "58300"),
        "CITYHALL_CLUSTER_DIR": folder,
        "CITYHALL_STAFF_REQUIRE_OTP": "0",
        "CITYHALL_SUBMISSIONS_PER_HOUR": "0",
        "CITYHALL_REPLICA_MAX_LAG_SECONDS": "2",
        "CITYHALL_LOG_LEVEL": "INFO",
    }
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    script = load_cluster_script()
    try:
        state = script.up(nodes=3, workers=1, replica=True)
        seeded = subprocess.run(
            [str(REPO / ".venv" / "bin" / "python"), "-m", "tests.cluster.seed"],
            env=script.node_environment(state), cwd=REPO, capture_output=True, text=True,
            check=True,
        )  # fmt: skip
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        yield script, state, seed
    finally:
        script.down()
        shutil.rmtree(folder, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
