"""Test harness shared by every suite: fast hashing, inline background tasks, private media."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import HUEY

from cityhall.core.selectors import forget_business_calendar
from tests.database_template import django_db_keepdb, django_db_setup  # noqa: F401
from tests.media_server import _media_server_instance, media_server  # noqa: F401
from tests.storage_servers import media_storage, s3_server  # noqa: F401


def pytest_collection_modifyitems(items):
    """Every test that touches the database may touch all of them: with SQLite the intake
    inbox is a database of its own (core.routers), reached from nearly every module."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None and "_django_db_helper" not in getattr(item, "fixturenames", ()):
            continue
        args, kwargs = (marker.args, dict(marker.kwargs)) if marker else ((), {})
        kwargs.setdefault("databases", "__all__")
        item.add_marker(pytest.mark.django_db(*args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.OPENDATA_ROOT = str(tmp_path / "opendata")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.LANGUAGE_CODE = "en"
    from django.core.cache import cache

    cache.clear()
    forget_business_calendar()
    HUEY.immediate = True
    # Submissions through the inbox are registered in the request; tests of the background
    # path (tests/core/test_inbox.py and the modules' API tests) switch this off.
    settings.INBOX_INLINE = True
    yield


@pytest.fixture
def password() -> str:
    return "correct-horse-battery"
