"""Work after commit, merged across a batch.

``after_commit(fn, items)`` runs ``fn(items)`` once the current transaction commits (at once
outside a transaction), like ``transaction.on_commit``. Inside ``with merged():`` — the inbox
wraps every batch registration in it — calls with the same ``fn`` are merged: ``fn`` runs once
after commit with all their items (one delivery job for the 64 receipts of a batch, not 64).
Nothing runs if the transaction rolls back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import transaction

__all__ = ["after_commit", "merged"]

_collecting: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "cityhall_after_commit", default=None
)


def after_commit(fn: Callable[[list[Any]], Any], items: Iterable[Any], using: str | None = None):
    collected = _collecting.get()
    if collected is not None:
        collected.setdefault((fn, using), []).extend(items)
    else:
        transaction.on_commit(partial(fn, list(items)), using=using)


@contextmanager
def merged() -> Iterator[None]:
    """Merge ``after_commit`` calls made inside; register them on a clean exit."""
    if _collecting.get() is not None:  # an outer block collects
        yield
        return
    collected: dict = {}
    token = _collecting.set(collected)
    try:
        yield
    finally:
        _collecting.reset(token)
    for (fn, using), items in collected.items():
        transaction.on_commit(partial(fn, items), using=using)
