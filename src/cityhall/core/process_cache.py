"""A value built from database tables, kept in each process, rebuilt when the tables change.

Hot paths (placing a point in a district, finding the nearest building, rendering a
notification) must not query the tables they read on every call, yet must never serve a
stale or rolled-back row. The rules, the same for every such cache:

- the value is built together with the tables' *fingerprint* (per table: row count, highest
  id, latest ``updated_at``) and reused while the fingerprint is known to be current;
- changes made by other processes (web workers, the background worker) are noticed by
  comparing the fingerprint at most every ``recheck_setting`` seconds (default 2);
- when this process saves or deletes a watched row, the value is dropped at once and, until
  that transaction ends, every call compares the fingerprint (one cheap aggregate) — so a
  rolled-back change is never served;
- ``migrate`` and ``flush`` bypass model signals: the value is dropped after them.

Works with any cache backend (the default per-process memory cache cannot tell other processes
anything) and on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_migrate, post_save

__all__ = ["ProcessCache", "table_fingerprint"]

T = TypeVar("T")


def table_fingerprint(*watched: type[models.Model]) -> tuple:
    """(row count, highest id, latest ``updated_at``) of each model's table."""
    parts = []
    for model in watched:
        row = model.objects.aggregate(n=Count("pk"), top=Max("pk"), last=Max("updated_at"))
        parts.append((row["n"], row["top"], row["last"]))
    return tuple(parts)


class ProcessCache(Generic[T]):
    """See the module docstring. ``build(fingerprint)`` makes the value."""

    def __init__(
        self,
        *,
        name: str,
        watched: tuple[type[models.Model], ...],
        build: Callable[[tuple], T],
        recheck_setting: str,
        default_recheck_seconds: float = 2.0,
    ) -> None:
        self.name = name
        self.watched = watched
        self._build = build
        self._recheck_setting = recheck_setting
        self._default_recheck = default_recheck_seconds
        self._value: T | None = None
        self._fingerprint: tuple | None = None
        self._checked_at = 0.0
        self._uncommitted = False

    def current(self) -> T:
        now = time.monotonic()
        recheck = float(getattr(settings, self._recheck_setting, self._default_recheck))
        if self._value is not None and not self._uncommitted and now - self._checked_at < recheck:
            return self._value
        fingerprint = table_fingerprint(*self.watched)
        if self._value is None or self._fingerprint != fingerprint:
            self._value = self._build(fingerprint)
            self._fingerprint = fingerprint
        self._checked_at = now
        if self._uncommitted and not transaction.get_connection().in_atomic_block:
            # Outside any transaction the change was either committed or rolled back (its
            # on-commit hook then never runs): what was just read is the truth.
            self._uncommitted = False
        return self._value

    def mark_changed(self, **_signal_kwargs) -> None:
        """A watched row was saved or deleted in this process (a signal receiver; also safe
        to call by hand after a bulk change that sends no signals)."""
        self._value = None
        self._uncommitted = True
        transaction.on_commit(self._committed)

    def forget(self, **_signal_kwargs) -> None:
        self._value = None
        self._fingerprint = None

    def _committed(self) -> None:
        self._uncommitted = False
        self._value = None

    def connect_signals(self) -> None:
        """Drop the value on any save or delete of a watched model and after migrate/flush.
        Not domain flow: only this process-local copy is affected."""
        for model in self.watched:
            label = model._meta.label_lower
            post_save.connect(
                self.mark_changed, sender=model, dispatch_uid=f"{self.name}-save-{label}"
            )
            post_delete.connect(
                self.mark_changed, sender=model, dispatch_uid=f"{self.name}-delete-{label}"
            )
        post_migrate.connect(self.forget, dispatch_uid=f"{self.name}-migrate")
