"""A migrated SQLite test database, made once and copied for every test run.

Creating the test database runs every migration (several seconds of CPU: SQLite rebuilds a
table for many schema changes). Each pytest process has its own database file (see settings),
so the first run migrates as usual and keeps a copy of the result in the data folder, named
after a hash of every installed app's migration files; later runs copy it into place and open it
with Django's keepdb, whose ``migrate`` then has nothing left to do. Any change to a migration
gives a new hash and so a fresh, fully migrated database. ``--create-db`` ignores the copy.

PostgreSQL runs are untouched (one database per run, created by Django as usual).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

__all__ = ["django_db_keepdb", "django_db_setup"]

_SIDE_FILES = ("-wal", "-shm", "-journal")


def _test_database() -> Path | None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.sqlite3":
        return None
    name = (db.get("TEST") or {}).get("NAME")
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def _template_for(database: Path) -> Path:
    from django.apps import apps

    digest = hashlib.sha256()
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        digest.update(app.label.encode())
        for migration in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(migration.name.encode())
            digest.update(migration.read_bytes())
    return database.with_name(f"test-template-{digest.hexdigest()[:16]}.sqlite3")


def _remove(database: Path) -> None:
    for path in (database, *(Path(f"{database}{suffix}") for suffix in _SIDE_FILES)):
        path.unlink(missing_ok=True)


def _save_template(database: Path, template: Path) -> None:
    """Copy a consistent snapshot (SQLite's backup API), then rename: readers never see a
    half-written template even when several processes finish at once."""
    partial = template.with_name(f"{template.name}.{os.getpid()}.partial")
    source = sqlite3.connect(database)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    os.replace(partial, template)
    for stale in template.parent.glob("test-template-*.sqlite3"):
        if stale != template:
            stale.unlink(missing_ok=True)


class _State:
    restored = False


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings) -> bool:
    """Copy the migrated template into place when there is one (and then keep it: keepdb)."""
    if request.config.getvalue("reuse_db"):
        return True
    database = _test_database()
    if database is None or request.config.getvalue("create_db"):
        return False
    template = _template_for(database)
    _remove(database)
    if not template.exists():
        return False
    shutil.copyfile(template, database)
    _State.restored = True
    return True


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    database = _test_database()
    if database is not None and not _State.restored and not request.config.getvalue("reuse_db"):
        with django_db_blocker.unblock():
            from django.db import connections

            connections["default"].close()
            _save_template(database, _template_for(database))
    yield
    if _State.restored:
        # keepdb stops pytest-django from dropping it; this copy was ours alone.
        with django_db_blocker.unblock():
            from django.db import connections

            connections.close_all()
        _remove(database)
