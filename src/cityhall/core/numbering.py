"""Gap-free, human-readable numbers ("TS-2026-000017", "PR-12-0042") under concurrency.

The counter row is locked for the rest of the caller's transaction, so two writers never get
the same number and a rolled-back transaction gives its number back (no gaps).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Counter

__all__ = ["next_value"]


def next_value(series: str) -> int:
    """The next value of ``series`` (1, 2, 3, …). Call inside the transaction that uses it."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().filter(series=series).first()
        if counter is None:
            try:
                with transaction.atomic():
                    Counter.objects.create(series=series, value=0)
            except IntegrityError:
                pass  # somebody else created it first; lock theirs
            counter = Counter.objects.select_for_update().get(series=series)
        counter.value += 1
        counter.save(update_fields=["value"])
        return counter.value
