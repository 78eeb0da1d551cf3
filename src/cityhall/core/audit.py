"""The tamper-evident audit trail: append a record, verify the chain.

Every service that changes a domain object calls :func:`record` inside its transaction. Appends
are serialised by a row lock on :class:`AuditChainHead`, so concurrent writers never fork the
chain and ``seq`` has no gaps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

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
    # No savepoint: the record lives and dies with the caller's transaction.
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # the migration creates it; a flushed test database may not have it
            AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        rec = AuditRecord(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor_id=getattr(actor, "pk", None),
            actor_repr=(str(actor)[:200] if actor is not None else "system"),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_normalise(before),
            after=_normalise(after),
            message=message,
            prev_hash=head.last_hash,
        )
        rec.hash = _digest(rec.prev_hash, _fields_of(rec))
        rec.save(force_insert=True)
        head.seq, head.last_hash = rec.seq, rec.hash
        head.save(update_fields=["seq", "last_hash"])
    return rec


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
