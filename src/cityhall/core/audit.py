"""The tamper-evident audit trail: append a record, verify the chain.

Every service that changes a domain object calls :func:`record` inside its transaction. Appends
are serialised by a row lock on :class:`AuditChainHead`, so concurrent writers never fork the
chain and ``seq`` has no gaps. An append is three short statements in the caller's transaction:
``UPDATE head SET seq = seq + 1 … RETURNING`` (lock and number at once; SQLite ≥ 3.35 and
PostgreSQL), the record's ``INSERT``, and the head's new ``last_hash``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.utils import timezone

from . import bulk, prepared
from .models import AuditChainHead, AuditRecord

__all__ = ["record", "verify_chain", "ChainProblem", "history_of", "snapshot"]

GENESIS = "0" * 64


def _normalise(value: Any) -> Any:
    """JSON round trip, so that what is hashed is exactly what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def _fields_of(rec: AuditRecord) -> dict[str, Any]:
    created = rec.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "seq": rec.seq,
        "created_at": created,
        "actor_id": rec.actor_id,
        "actor_repr": rec.actor_repr,
        "action": rec.action,
        "object_type": rec.object_type,
        "object_id": str(rec.object_id),
        "before": rec.before,
        "after": rec.after,
        "message": rec.message,
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of ``obj`` as primitives, for ``before``/``after``."""
    data = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        data[name] = value
    return _normalise(data)


_HEAD = AuditChainHead._meta.db_table
# Table and column names come from the models, never from input.
_TAKE_NUMBER = f"UPDATE {_HEAD} SET seq = seq + 1 WHERE id = 1 RETURNING seq, last_hash"  # noqa: S608
_SET_LAST_HASH = f"UPDATE {_HEAD} SET last_hash = %s WHERE id = 1"  # noqa: S608
_INSERT_FIELDS = [f for f in AuditRecord._meta.concrete_fields if not f.primary_key]


_INSERT_SQL: dict[str, str] = {}


def _insert_sql(connection) -> str:
    sql = _INSERT_SQL.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in _INSERT_FIELDS)
        values = ", ".join(["%s"] * len(_INSERT_FIELDS))
        sql = _INSERT_SQL[connection.vendor] = (
            f"INSERT INTO {quote(AuditRecord._meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608
            f"RETURNING {quote(AuditRecord._meta.pk.column)}"
        )
    return sql


_BATCH_INSERTS: dict[str, bulk.Insert] = {}


def _batch_insert(connection) -> bulk.Insert:
    """:func:`record_many`'s statement, built once per database."""
    statement = _BATCH_INSERTS.get(connection.alias)
    if statement is None:
        statement = _BATCH_INSERTS[connection.alias] = bulk.Insert(
            AuditRecord, _INSERT_FIELDS, connection, returning=False
        )
    return statement


def _insert_params(rec: AuditRecord, connection) -> list[Any]:
    return [f.get_db_prep_save(getattr(rec, f.attname), connection) for f in _INSERT_FIELDS]


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> AuditRecord:
    """Append one record. ``actor`` is a user, or None for the system (scheduled jobs)."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or target.pk
    if not object_type:
        raise ValueError("audit record needs a target or an object_type")
    rec = AuditRecord(
        created_at=timezone.now(),
        actor_id=getattr(actor, "pk", None),
        actor_repr=(str(actor)[:200] if actor is not None else "system"),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=_normalise(before),
        after=_normalise(after),
        message=message,
    )
    # No savepoint: the record lives and dies with the caller's transaction.
    with transaction.atomic(savepoint=False):
        connection = connections[AuditRecord.objects.db]
        with prepared.cursor(connection) as cursor:
            # One statement takes the head's row lock and the next number at once; the lock is
            # held until the caller's transaction ends, so appends never fork or leave gaps.
            cursor.execute(_TAKE_NUMBER)
            row = cursor.fetchone()
            if row is None:  # the migration creates it; a flushed test database may not have it
                AuditChainHead.objects.get_or_create(pk=1)
                cursor.execute(_TAKE_NUMBER)
                row = cursor.fetchone()
            rec.seq, rec.prev_hash = row
            rec.hash = _digest(rec.prev_hash, _fields_of(rec))
            cursor.execute(_insert_sql(connection), _insert_params(rec, connection))
            rec.pk = cursor.fetchone()[0]
            rec._state.adding, rec._state.db = False, connection.alias
            cursor.execute(_SET_LAST_HASH, [rec.hash])
    return rec


@dataclass(frozen=True)
class Entry:
    """One record for :func:`record_many` (the arguments of :func:`record`)."""

    action: str
    object_type: str
    object_id: str | int
    actor: Any = None
    before: dict | None = None
    after: dict | None = None
    message: str = ""


_TAKE_NUMBERS = f"UPDATE {_HEAD} SET seq = seq + %s WHERE id = 1 RETURNING seq, last_hash"  # noqa: S608


def _as_json(value: Any) -> tuple[Any, str | None]:
    """``value`` as the database gives it back, and its JSON text (None for null)."""
    if value is None:
        return None, None
    text = json.dumps(value, cls=DjangoJSONEncoder)
    return json.loads(text), text


def record_many(entries: list[Entry]) -> range:
    """Append several records in order with one lock of the head row and multi-row INSERTs:
    what a batch registration (core.inbox handlers, the demo) writes for many objects at once.
    Hashed exactly as :func:`record` hashes (``verify_chain`` checks both alike); returns the
    records' sequence numbers. Builds no model instances: it runs for hundreds of thousands."""
    if not entries:
        return range(0)
    connection = connections[AuditRecord.objects.db]
    now = timezone.now()
    created = now.astimezone(dt.UTC).isoformat(timespec="microseconds")
    created_param = connection.ops.adapt_datetimefield_value(now)
    # SQLite stores the JSON text as it is; other databases get their own JSON parameter.
    if connection.vendor == "sqlite":

        def adapt_json(value, text):
            return text
    else:

        def adapt_json(value, text):
            return connection.ops.adapt_json_value(value, DjangoJSONEncoder)

    order = [f.attname for f in _INSERT_FIELDS]
    with transaction.atomic(savepoint=False), prepared.cursor(connection) as cursor:
        cursor.execute(_TAKE_NUMBERS, [len(entries)])
        row = cursor.fetchone()
        if row is None:
            AuditChainHead.objects.get_or_create(pk=1)
            cursor.execute(_TAKE_NUMBERS, [len(entries)])
            row = cursor.fetchone()
        last_seq, prev_hash = row
        seq = last_seq - len(entries)
        rows: list[list[Any]] = []
        for e in entries:
            seq += 1
            before, before_text = _as_json(e.before)
            after, after_text = _as_json(e.after)
            fields = {
                "seq": seq,
                "created_at": created,
                "actor_id": getattr(e.actor, "pk", None),
                "actor_repr": (str(e.actor)[:200] if e.actor is not None else "system"),
                "action": e.action,
                "object_type": e.object_type,
                "object_id": str(e.object_id),
                "before": before,
                "after": after,
                "message": e.message,
            }
            digest = _digest(prev_hash, fields)
            values = {
                **fields,
                "created_at": created_param,
                "before": None if before is None else adapt_json(before, before_text),
                "after": None if after is None else adapt_json(after, after_text),
                "prev_hash": prev_hash,
                "hash": digest,
            }
            rows.append([values[name] for name in order])
            prev_hash = digest
        _batch_insert(connection).run(cursor, rows)
        cursor.execute(_SET_LAST_HASH, [prev_hash])
    return range(last_seq - len(entries) + 1, last_seq + 1)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    kind: str  # "edited" | "missing" | "relinked" | "truncated"
    detail: str


def verify_chain(batch_size: int = 5000) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield every problem found (streaming, constant memory)."""
    expected_seq = 1
    prev_hash = GENESIS
    last_seq = 0
    qs = AuditRecord.objects.order_by("seq")
    for rec in qs.iterator(chunk_size=batch_size):
        if rec.seq != expected_seq:
            yield ChainProblem(
                expected_seq,
                "missing",
                f"records {expected_seq}..{rec.seq - 1} are missing",
            )
        if rec.prev_hash != prev_hash:
            yield ChainProblem(rec.seq, "relinked", "previous-hash link does not match")
        if _digest(rec.prev_hash, _fields_of(rec)) != rec.hash:
            yield ChainProblem(rec.seq, "edited", "content does not match its hash")
        prev_hash = rec.hash
        expected_seq = rec.seq + 1
        last_seq = rec.seq
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq != last_seq:
        yield ChainProblem(
            last_seq + 1, "truncated", f"head says {head.seq} records, found {last_seq}"
        )
    elif head is not None and head.seq and head.last_hash != prev_hash:
        yield ChainProblem(last_seq, "edited", "last record does not match the chain head")


def history_of(obj: models.Model) -> models.QuerySet[AuditRecord]:
    """The audit records of one object, oldest first (for staff pages)."""
    return AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
