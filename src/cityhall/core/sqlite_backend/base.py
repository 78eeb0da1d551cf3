"""SQLite with writers queued on an OS file lock instead of SQLite's busy handler.

With ``transaction_mode=IMMEDIATE`` every transaction takes SQLite's write lock at BEGIN. A
writer that finds it taken sleeps in SQLite's busy handler in growing steps (1, 2, 5, 10 … 100
ms) and does not wake when the lock is released, so under concurrent writes the cores sit
idle between commits. Here each transaction first takes an exclusive ``flock`` on a file beside
the database: a waiting writer is woken by the kernel the moment the previous one commits or
rolls back. SQLite's own locking stays underneath unchanged (and still guards writers that do
not use this backend, e.g. the huey worker's other files or a sqlite3 shell).
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base as sqlite3_base


class DatabaseWrapper(sqlite3_base.DatabaseWrapper):
    _writer_lock_fd: int | None = None

    def _writer_lock_path(self) -> str | None:
        if self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
            return None
        name = str(self.settings_dict["NAME"])
        if name.startswith("file:"):
            return None
        return name + ".writer-lock"

    def _take_writer_lock(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._writer_lock_fd is not None:
            return
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        self._writer_lock_fd = fd

    def _release_writer_lock(self) -> None:
        fd, self._writer_lock_fd = self._writer_lock_fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases the flock

    def _start_transaction_under_autocommit(self):
        self._take_writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
