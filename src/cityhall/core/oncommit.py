"""Work merged across a batch: at the end of the batch, and after its commit.

``after_commit(fn, items)`` runs ``fn(items)`` once the current transaction commits (at once
outside a transaction), like ``transaction.on_commit``. ``at_end(fn, items)`` runs
``fn(items)`` at once. Inside ``with merged():`` — the inbox wraps every batch registration in
it — calls with the same ``fn`` are merged: ``at_end`` work runs once when the block ends
(still inside the transaction: e.g. one INSERT for all the batch's outbox messages), then
``after_commit`` work once after commit (one delivery job for the batch, not one per item).
Nothing runs after commit if the transaction rolls back; nothing at all if the block raises.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import transaction

__all__ = ["after_commit", "at_end", "merged", "merging"]

_collecting: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "cityhall_after_commit", default=None
)


def merging() -> bool:
    return _collecting.get() is not None


def after_commit(fn: Callable[[list[Any]], Any], items: Iterable[Any], using: str | None = None):
    collected = _collecting.get()
    if collected is not None:
        collected.setdefault(("commit", fn, using), []).extend(items)
    else:
        transaction.on_commit(partial(fn, list(items)), using=using)


def at_end(fn: Callable[[list[Any]], Any], items: Iterable[Any]) -> None:
    collected = _collecting.get()
    if collected is not None:
        collected.setdefault(("end", fn, None), []).extend(items)
    else:
        fn(list(items))


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
        while ends := [key for key in collected if key[0] == "end"]:
            for key in ends:  # may add after-commit work (merged too)
                key[1](collected.pop(key))
    finally:
        _collecting.reset(token)
    for (_when, fn, using), items in collected.items():
        transaction.on_commit(partial(fn, items), using=using)
