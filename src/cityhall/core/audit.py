"""The tamper-evident audit trail: append a record, verify the chain.

Records are keyed: ``hash = HMAC-SHA256(key, prev_hash + canonical JSON)`` with a key kept outside
the database (``core.audit_keys``), so someone who can write the database cannot recompute a
hash; the head row's ``mac`` keys its ``(seq, last_hash)``, and daily checkpoints
(``core.audit_checkpoints``) are published outside the database (ADR 0010). Records written
before keys (``key_id`` empty) are legacy, plain SHA-256, accepted only before the first keyed one.

Every service that changes a domain object calls :func:`record` inside its transaction. Appends
are serialised by a row lock on :class:`AuditChainHead`, so concurrent writers never fork the
chain and ``seq`` has no gaps. An append is three short statements in the caller's transaction:
``UPDATE head SET seq = seq + 1 … RETURNING`` (lock and number at once; SQLite ≥ 3.35 and
PostgreSQL), the record's ``INSERT``, and the head's new ``last_hash``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, transaction
from django.utils import timezone

from . import audit_keys, bulk, prepared
from .models import AuditChainHead, AuditCheckpoint, AuditRecord

__all__ = [
    "record",
    "record_many",
    "verify_chain",
    "ChainProblem",
    "history_of",
    "snapshot",
    "legacy_records",
    "checkpoint_signature",
    "verify_segment",
]

GENESIS = "0" * 64


def _normalise(value: Any) -> Any:
    """JSON round trip, so that what is hashed is exactly what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _payload(prev_hash: str, fields: dict[str, Any]) -> str:
    return prev_hash + json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _digest(prev_hash: str, fields: dict[str, Any]) -> str:
    """A legacy record's hash: plain SHA-256, which anyone can recompute (before ADR 0010)."""
    return hashlib.sha256(_payload(prev_hash, fields).encode()).hexdigest()


def _keyed_digest(secret: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    """A record's hash: HMAC-SHA256 over the same bytes; ``fields`` name the key's id."""
    return audit_keys.mac(secret, _payload(prev_hash, fields))


def _head_mac(secret: bytes, seq: int, last_hash: str) -> str:
    """Keys the head's position: moving it back over a deleted tail needs the key."""
    return audit_keys.mac(secret, f"cityhall-audit-head|{seq}|{last_hash}")


def checkpoint_signature(key_id: str, day: dt.date, seq: int, head_hash: str) -> str | None:
    """The checkpoint's HMAC with the key ``key_id``; None when that key is not configured."""
    secret = audit_keys.keys().get(key_id)
    if secret is None:
        return None
    return audit_keys.mac(
        secret, f"cityhall-audit-checkpoint|{day.isoformat()}|{seq}|{head_hash}|{key_id}"
    )


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
        **({"key_id": rec.key_id} if rec.key_id else {}),
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
_SET_LAST_HASH = f"UPDATE {_HEAD} SET last_hash = %s, mac = %s WHERE id = 1"  # noqa: S608
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
    key_id, secret = audit_keys.current()
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
        key_id=key_id,
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
            rec.hash = _keyed_digest(secret, rec.prev_hash, _fields_of(rec))
            cursor.execute(_insert_sql(connection), _insert_params(rec, connection))
            rec.pk = cursor.fetchone()[0]
            rec._state.adding, rec._state.db = False, connection.alias
            cursor.execute(_SET_LAST_HASH, [rec.hash, _head_mac(secret, rec.seq, rec.hash)])
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
    key_id, secret = audit_keys.current()
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
                "key_id": key_id,
            }
            digest = _keyed_digest(secret, prev_hash, fields)
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
        cursor.execute(_SET_LAST_HASH, [prev_hash, _head_mac(secret, last_seq, prev_hash)])
    return range(last_seq - len(entries) + 1, last_seq + 1)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    # "edited" | "missing" | "relinked" | "truncated" | "unkeyed" | "unknown key" | "head"
    # | "checkpoint"
    kind: str
    detail: str


class _Walk:
    """Checks records in order from a known link: hashes, links, keys (shared by the full
    verification and by a checkpoint, which checks only what is new since the last one)."""

    def __init__(self, after_seq: int = 0, after_hash: str = GENESIS, keyed: bool = False):
        self.keys = audit_keys.keys()
        self.expected_seq = after_seq + 1
        self.prev_hash = after_hash
        self.last_seq = after_seq
        self.last_key_id = ""
        self.keyed = keyed  # a keyed record was seen: no legacy record may follow

    def check(self, rec: AuditRecord) -> Iterator[ChainProblem]:
        if rec.seq != self.expected_seq:
            yield ChainProblem(
                self.expected_seq,
                "missing",
                f"records {self.expected_seq}..{rec.seq - 1} are missing",
            )
        if rec.prev_hash != self.prev_hash:
            yield ChainProblem(rec.seq, "relinked", "previous-hash link does not match")
        if not rec.key_id:
            if self.keyed:
                yield ChainProblem(
                    rec.seq, "unkeyed", "record without a key after keyed records (forged)"
                )
            elif _digest(rec.prev_hash, _fields_of(rec)) != rec.hash:
                yield ChainProblem(rec.seq, "edited", "content does not match its hash")
        else:
            self.keyed = True
            secret = self.keys.get(rec.key_id)
            if secret is None:
                yield ChainProblem(rec.seq, "unknown key", f"key {rec.key_id!r} is not configured")
            elif _keyed_digest(secret, rec.prev_hash, _fields_of(rec)) != rec.hash:
                yield ChainProblem(
                    rec.seq, "edited", "content does not match its keyed hash (or wrong key)"
                )
        self.prev_hash = rec.hash
        self.expected_seq = rec.seq + 1
        self.last_seq = rec.seq
        self.last_key_id = rec.key_id


def _checkpoint_problems(checkpoint: AuditCheckpoint, source: str) -> Iterator[ChainProblem]:
    expected = checkpoint_signature(
        checkpoint.key_id, checkpoint.date, checkpoint.seq, checkpoint.head_hash
    )
    if expected is None:
        yield ChainProblem(
            checkpoint.seq,
            "checkpoint",
            f"checkpoint of {checkpoint.date}{source}: key {checkpoint.key_id!r} is not configured",
        )
    elif not hmac.compare_digest(expected, checkpoint.signature):
        yield ChainProblem(
            checkpoint.seq,
            "checkpoint",
            f"checkpoint of {checkpoint.date}{source}: signature does not match (forged)",
        )


def verify_chain(
    batch_size: int = 5000, checkpoints: Iterable[tuple[AuditCheckpoint, str]] = ()
) -> Iterator[ChainProblem]:
    """Walk the chain in order and yield every problem found (streaming, constant memory):
    every record's hash and link, the head's position and MAC, and the head hash of every
    stored checkpoint plus ``checkpoints`` (``(checkpoint, where it came from)``, e.g. a list
    downloaded earlier): a history rewritten after a checkpoint was published does not match."""
    stored = {cp.date: cp for cp in AuditCheckpoint.objects.all()}
    anchors: dict[int, list[tuple[AuditCheckpoint, str]]] = {}
    for cp in stored.values():
        yield from _checkpoint_problems(cp, "")
        anchors.setdefault(cp.seq, []).append((cp, ""))
    for cp, source in checkpoints:
        yield from _checkpoint_problems(cp, source)
        if cp.date not in stored:
            yield ChainProblem(
                cp.seq, "checkpoint", f"checkpoint of {cp.date}{source} is missing from the table"
            )
        anchors.setdefault(cp.seq, []).append((cp, source))

    def anchored(seq: int, head_hash: str) -> Iterator[ChainProblem]:
        for cp, source in anchors.pop(seq, ()):
            if cp.head_hash != head_hash:
                yield ChainProblem(
                    seq,
                    "checkpoint",
                    f"history differs from the checkpoint of {cp.date}{source} (rewritten)",
                )

    yield from anchored(0, GENESIS)
    walk = _Walk()
    for rec in AuditRecord.objects.order_by("seq").iterator(chunk_size=batch_size):
        yield from walk.check(rec)
        yield from anchored(rec.seq, rec.hash)
    for seq, pending in sorted(anchors.items()):
        for cp, source in pending:
            yield ChainProblem(
                walk.last_seq + 1,
                "truncated",
                f"the checkpoint of {cp.date}{source} covers {seq} records, found {walk.last_seq}",
            )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None:
        return
    if head.seq != walk.last_seq:
        yield ChainProblem(
            walk.last_seq + 1, "truncated", f"head says {head.seq} records, found {walk.last_seq}"
        )
    elif head.seq and head.last_hash != walk.prev_hash:
        yield ChainProblem(walk.last_seq, "edited", "last record does not match the chain head")
    elif walk.last_key_id:
        secret = walk.keys.get(walk.last_key_id)
        if secret is not None and not hmac.compare_digest(
            head.mac, _head_mac(secret, head.seq, head.last_hash)
        ):
            yield ChainProblem(
                walk.last_seq,
                "head",
                "the chain head's MAC does not match: the head was moved (records removed "
                "from the end?)",
            )


def verify_segment(after: AuditCheckpoint | None, upto_seq: int) -> list[ChainProblem]:
    """Problems in the records after the checkpoint ``after`` up to ``upto_seq``: what a new
    checkpoint checks before it signs, so it never vouches for a history already tampered."""
    after_seq = after.seq if after else 0
    after_hash = after.head_hash if after else GENESIS
    keyed = bool(
        after_seq and AuditRecord.objects.filter(seq=after_seq).exclude(key_id="").exists()
    )
    walk = _Walk(after_seq, after_hash, keyed)
    problems: list[ChainProblem] = []
    records = AuditRecord.objects.filter(seq__gt=after_seq, seq__lte=upto_seq).order_by("seq")
    for rec in records.iterator(chunk_size=5000):
        problems.extend(walk.check(rec))
    if walk.last_seq != upto_seq:
        problems.append(
            ChainProblem(walk.last_seq + 1, "truncated", f"records up to {upto_seq} are missing")
        )
    return problems


def legacy_records() -> int:
    """How many records precede the first keyed one (written before ADR 0010): checked by
    their plain SHA-256 links only, which someone with database access could recompute."""
    first_keyed = (
        AuditRecord.objects.exclude(key_id="").order_by("seq").values_list("seq", flat=True).first()
    )
    if first_keyed is None:
        return AuditRecord.objects.count()
    return AuditRecord.objects.filter(seq__lt=first_keyed).count()


def history_of(obj: models.Model) -> models.QuerySet[AuditRecord]:
    """The audit records of one object, oldest first (for staff pages)."""
    return AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
