"""Background jobs by name: a service schedules a job without importing the module defining it.

Each app's ``tasks.py`` defines its huey tasks (which take ids and call the app's services) and
declares the ones that services start with :func:`declare`; ``services`` then call
:func:`enqueue_on_commit` (or :func:`enqueue`) with that name. So ``tasks`` imports
``services`` and never the other way round: no import circle between the two, and the task
module is loaded once, by the app's ``AppConfig.ready()``.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import transaction

__all__ = ["declare", "enqueue", "enqueue_on_commit"]


class Task(Protocol):
    def __call__(self, *args: Any) -> Any: ...

    def schedule(self, *, args: tuple, delay: float) -> Any: ...


_JOBS: dict[str, Task] = {}


def declare(name: str, task: Task) -> Task:
    """Make ``task`` (a huey task) startable as ``name`` ("app.job"); returns the task."""
    _JOBS[name] = task
    return task


def _task(name: str) -> Task:
    try:
        return _JOBS[name]
    except KeyError:
        raise LookupError(f"no background job declared as {name!r}") from None


def enqueue(name: str, *args: Any, delay: float | None = None) -> None:
    """Start the job now (or after ``delay`` seconds): huey's queue, or at once in tests."""
    task = _task(name)
    if delay is None:
        task(*args)
    else:
        task.schedule(args=args, delay=delay)


def enqueue_on_commit(
    name: str, *args: Any, delay: float | None = None, using: str | None = None
) -> None:
    """Start the job once the current transaction commits (never if it rolls back)."""
    _task(name)  # an unknown name fails here, in the service, not after the commit
    transaction.on_commit(lambda: enqueue(name, *args, delay=delay), using=using)
