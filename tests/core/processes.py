"""For tests that run ``cityhall`` in a child process: its own data folder, on SQLite."""

from __future__ import annotations

import os


def child_env(data_dir) -> dict[str, str]:
    """This environment with the project's data (and so its SQLite files) in ``data_dir``."""
    env = {
        **os.environ,
        "CITYHALL_DATA_DIR": str(data_dir),
        "CITYHALL_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "cityhall.settings",
    }
    env.pop("DATABASE_URL", None)
    return env
