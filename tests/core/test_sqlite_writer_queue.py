"""On SQLite, a transaction holds the writers' file lock from BEGIN until commit or rollback,
so waiting writers are woken by the kernel instead of sleeping in SQLite's busy handler."""

from __future__ import annotations

import fcntl
import os

import pytest
from django.db import connection, transaction

from cityhall.core.models import Counter

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the queue is SQLite's"),
]


def _lock_is_free() -> bool:
    fd = os.open(connection._writer_lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_the_lock_is_held_for_the_transaction_and_released_on_commit():
    assert connection.settings_dict["ENGINE"] == "cityhall.core.sqlite_backend"
    with transaction.atomic():
        Counter.objects.create(series="queue", value=1)
        assert not _lock_is_free()
    assert _lock_is_free()
    assert Counter.objects.filter(series="queue").exists()


def test_the_lock_is_released_on_rollback():
    with pytest.raises(RuntimeError), transaction.atomic():
        Counter.objects.create(series="queue", value=1)
        assert not _lock_is_free()
        raise RuntimeError
    assert _lock_is_free()
    assert not Counter.objects.filter(series="queue").exists()
