"""Fixtures for the core tests that run ``cityhall`` in child processes."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .processes import child_env


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory):
    """A data folder whose SQLite databases are migrated, made once a session: migrating from
    nothing takes half a minute, and the tests that only need a migrated site share it."""
    template = tmp_path_factory.mktemp("migrated-data")
    subprocess.run(
        [sys.executable, "-m", "cityhall", "migrate", "--noinput", "-v", "0"],
        env=child_env(template), check=True, timeout=300,
    )  # fmt: skip
    return template


@pytest.fixture
def migrated_data_dir(tmp_path, _migrated_sqlite_template):
    """``tmp_path`` holding a copy of the migrated databases (for ``child_env(tmp_path)``)."""
    shutil.copytree(_migrated_sqlite_template, tmp_path, dirs_exist_ok=True)
    return tmp_path
