"""Gap-free, human-readable numbers ("TS-2026-000017", "PR-12-0042") under concurrency.

The counter row is locked for the rest of the caller's transaction, so two writers never get
the same number and a rolled-back transaction gives its number back (no gaps).
"""

from __future__ import annotations

from django.db import IntegrityError, connections, transaction

from . import prepared
from .models import Counter

__all__ = ["next_value", "next_values"]


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


_TAKE = f"UPDATE {Counter._meta.db_table} SET value = value + %s WHERE series = %s RETURNING value"  # noqa: S608


def next_values(series: str, count: int) -> range:
    """``count`` consecutive values of ``series`` at once (one locked UPDATE): for batch
    registration. Same guarantees as :func:`next_value`."""
    if count < 1:
        return range(0)
    with transaction.atomic():
        connection = connections[Counter.objects.db]
        with prepared.cursor(connection) as cursor:
            cursor.execute(_TAKE, [count, series])
            row = cursor.fetchone()
            if row is None:
                try:
                    with transaction.atomic():
                        Counter.objects.create(series=series, value=0)
                except IntegrityError:
                    pass  # somebody else created it first
                cursor.execute(_TAKE, [count, series])
                row = cursor.fetchone()
        last = row[0]
        return range(last - count + 1, last + 1)
