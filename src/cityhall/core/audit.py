"""The tamper-evident audit trail: append a record, verify the chain.

Records are keyed: ``hash = HMAC-SHA256(key, prev_hash + canonical JSON)`` with a key kept outside
the database (``core.audit_keys``), so someone who can write the database cannot recompute a
hash; the head row's ``mac`` keys its ``(seq, last_hash)``, and daily checkpoints
(``core.audit_checkpoints``) are published outside the database (ADR 0010). Records written
before keys (``key_id`` empty) are legacy, plain SHA-256, accepted only before the first keyed one.

Every service that changes a domain object calls :func:`record` inside its transaction. The
trail is a fixed number of chains (``core.audit_chains``, ADR 0032): a transaction appends to the
chain of the first object it audits and stays on it. Appends to one chain are serialised by a row
lock on its :class:`AuditChainHead`, so concurrent writers never fork a chain and ``seq`` has no
gaps within it, while writers on other chains go on in parallel. An append is three short
statements in the caller's transaction: ``UPDATE head SET seq = seq + 1 … RETURNING`` (lock and
number at once; SQLite ≥ 3.35 and PostgreSQL), the record's ``INSERT``, and the head's new
``last_hash``. :func:`verify_chain` walks every chain and every head in one pass.
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

from . import audit_chains, audit_keys, bulk, prepared
from .audit_chains import CHAINS, chain_of
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
    "verify_since",
    "chain_heads",
    "CHAINS",
    "chain_of",
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


def _head_mac(secret: bytes, seq: int, last_hash: str, chain: int = 0) -> str:
    """Keys the head's position: moving it back over a deleted tail needs the key. Chain 0's
    MAC keeps the form it had before the split (its head is the old single head)."""
    where = f"{chain}|" if chain else ""
    return audit_keys.mac(secret, f"cityhall-audit-head|{where}{seq}|{last_hash}")


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
        # Chain 0 holds the records from before the split, hashed without a chain: its number
        # is bound either way (a record moved into or out of chain 0 no longer matches).
        **({"chain": rec.chain} if rec.chain else {}),
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
_TAKE_NUMBER = f"UPDATE {_HEAD} SET seq = seq + 1 WHERE chain = %s RETURNING seq, last_hash"  # noqa: S608
_SET_LAST_HASH = f"UPDATE {_HEAD} SET last_hash = %s, mac = %s WHERE chain = %s"  # noqa: S608
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
        chain = audit_chains.chain_for_transaction(connection, chain_of(object_type, object_id))
        rec.chain = chain
        with prepared.cursor(connection) as cursor:
            # One statement takes the chain head's row lock and the next number at once; the
            # lock is held until the caller's transaction ends, so appends never fork or leave
            # gaps.
            rec.seq, rec.prev_hash = _take_numbers(cursor, chain, 1)
            rec.hash = _keyed_digest(secret, rec.prev_hash, _fields_of(rec))
            cursor.execute(_insert_sql(connection), _insert_params(rec, connection))
            rec.pk = cursor.fetchone()[0]
            rec._state.adding, rec._state.db = False, connection.alias
            mac = _head_mac(secret, rec.seq, rec.hash, chain)
            cursor.execute(_SET_LAST_HASH, [rec.hash, mac, chain])
    return rec


def _take_numbers(cursor, chain: int, count: int) -> tuple[int, str]:
    """Lock ``chain``'s head and move it ``count`` records on: its new ``seq`` and the hash the
    first new record links to."""
    statement, params = (_TAKE_NUMBER, [chain]) if count == 1 else (_TAKE_NUMBERS, [count, chain])
    cursor.execute(statement, params)
    row = cursor.fetchone()
    if row is None:  # the migrations create the heads; a flushed test database may not have them
        AuditChainHead.objects.get_or_create(chain=chain, defaults={"pk": chain + 1})
        cursor.execute(statement, params)
        row = cursor.fetchone()
    return row


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


_TAKE_NUMBERS = f"UPDATE {_HEAD} SET seq = seq + %s WHERE chain = %s RETURNING seq, last_hash"  # noqa: S608


def _as_json(value: Any) -> tuple[Any, str | None]:
    """``value`` as the database gives it back, and its JSON text (None for null)."""
    if value is None:
        return None, None
    text = json.dumps(value, cls=DjangoJSONEncoder)
    return json.loads(text), text


def record_many(entries: list[Entry]) -> range:
    """Append several records in order with one lock of one chain head and multi-row INSERTs:
    what a batch registration (core.inbox handlers, the demo) writes for many objects at once.
    The batch joins one chain (the transaction's, else its first object's). Hashed exactly as
    :func:`record` hashes (``verify_chain`` checks both alike); returns the records' sequence
    numbers in that chain. Builds no model instances: it runs for hundreds of thousands."""
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
        first = entries[0]
        chain = audit_chains.chain_for_transaction(
            connection, chain_of(first.object_type, first.object_id)
        )
        last_seq, prev_hash = _take_numbers(cursor, chain, len(entries))
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
                **({"chain": chain} if chain else {}),
            }
            digest = _keyed_digest(secret, prev_hash, fields)
            values = {
                **fields,
                "chain": chain,
                "created_at": created_param,
                "before": None if before is None else adapt_json(before, before_text),
                "after": None if after is None else adapt_json(after, after_text),
                "prev_hash": prev_hash,
                "hash": digest,
            }
            rows.append([values[name] for name in order])
            prev_hash = digest
        _batch_insert(connection).run(cursor, rows)
        mac = _head_mac(secret, last_seq, prev_hash, chain)
        cursor.execute(_SET_LAST_HASH, [prev_hash, mac, chain])
    return range(last_seq - len(entries) + 1, last_seq + 1)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    # "edited" | "missing" | "relinked" | "truncated" | "unkeyed" | "unknown key" | "head"
    # | "checkpoint"
    kind: str
    detail: str
    chain: int = 0


class _Walk:
    """Checks one chain's records in order from a known link: hashes, links, keys (shared by
    the full verification and by a checkpoint, which checks only what is new since the last
    one)."""

    def __init__(
        self, chain: int = 0, after_seq: int = 0, after_hash: str = GENESIS, keyed: bool = False
    ):
        self.chain = chain
        self.keys = audit_keys.keys()
        self.expected_seq = after_seq + 1
        self.prev_hash = after_hash
        self.last_seq = after_seq
        self.last_key_id = ""
        self.keyed = keyed  # a keyed record was seen: no legacy record may follow

    def problem(self, seq: int, kind: str, detail: str) -> ChainProblem:
        return ChainProblem(seq, kind, detail, self.chain)

    def check(self, rec: AuditRecord) -> Iterator[ChainProblem]:
        if rec.seq != self.expected_seq:
            yield self.problem(
                self.expected_seq,
                "missing",
                f"records {self.expected_seq}..{rec.seq - 1} are missing",
            )
        if rec.prev_hash != self.prev_hash:
            yield self.problem(rec.seq, "relinked", "previous-hash link does not match")
        if not rec.key_id:
            if self.keyed:
                yield self.problem(
                    rec.seq, "unkeyed", "record without a key after keyed records (forged)"
                )
            elif _digest(rec.prev_hash, _fields_of(rec)) != rec.hash:
                yield self.problem(rec.seq, "edited", "content does not match its hash")
        else:
            self.keyed = True
            secret = self.keys.get(rec.key_id)
            if secret is None:
                yield self.problem(rec.seq, "unknown key", f"key {rec.key_id!r} is not configured")
            elif _keyed_digest(secret, rec.prev_hash, _fields_of(rec)) != rec.hash:
                yield self.problem(
                    rec.seq, "edited", "content does not match its keyed hash (or wrong key)"
                )
        self.prev_hash = rec.hash
        self.expected_seq = rec.seq + 1
        self.last_seq = rec.seq
        self.last_key_id = rec.key_id

    def head_problems(self, head: tuple[int, str, str] | None) -> Iterator[ChainProblem]:
        """The chain's head row ``(seq, last_hash, mac)`` against the records walked."""
        if head is None:
            if self.last_seq:
                yield self.problem(self.last_seq, "head", "the chain's head row is missing")
            return
        seq, last_hash, head_mac = head
        if seq != self.last_seq:
            yield self.problem(
                self.last_seq + 1, "truncated", f"head says {seq} records, found {self.last_seq}"
            )
        elif seq and last_hash != self.prev_hash:
            yield self.problem(self.last_seq, "edited", "last record does not match the chain head")
        elif self.last_key_id:
            secret = self.keys.get(self.last_key_id)
            if secret is not None and not hmac.compare_digest(
                head_mac, _head_mac(secret, seq, last_hash, self.chain)
            ):
                yield self.problem(
                    self.last_seq,
                    "head",
                    "the chain head's MAC does not match: the head was moved (records removed "
                    "from the end?)",
                )


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
    elif checkpoint_anchors(checkpoint) is None:
        yield ChainProblem(
            checkpoint.seq,
            "checkpoint",
            f"checkpoint of {checkpoint.date}{source}: its chain heads do not match its head "
            "hash (forged)",
        )


def checkpoint_anchors(checkpoint: AuditCheckpoint) -> dict[int, tuple[int, str]] | None:
    """``{chain: (seq, hash)}`` a checkpoint vouches for: every chain's head, or chain 0's for a
    checkpoint taken before the split (no ``heads``). None when its heads do not add up to its
    signed ``seq`` and ``head_hash``."""
    if not checkpoint.heads:
        return {0: (checkpoint.seq, checkpoint.head_hash)}
    heads = audit_chains.parse_heads(checkpoint.heads)
    if (
        heads is None
        or audit_chains.heads_digest(checkpoint.heads) != checkpoint.head_hash
        or sum(seq for seq, _hash in heads.values()) != checkpoint.seq
    ):
        return None
    return heads


def chain_heads() -> dict[int, tuple[int, str]]:
    """Every chain's head as stored, ``{chain: (seq, last_hash)}``, read in one statement (one
    consistent view of all chains)."""
    rows = AuditChainHead.objects.values_list("chain", "seq", "last_hash")
    return {chain: (seq, last_hash) for chain, seq, last_hash in rows}


def verify_chain(
    batch_size: int = 5000, checkpoints: Iterable[tuple[AuditCheckpoint, str]] = ()
) -> Iterator[ChainProblem]:
    """Walk every chain in order and yield every problem found (streaming, constant memory):
    every record's hash and link, each chain head's position and MAC, and the heads of every
    stored checkpoint plus ``checkpoints`` (``(checkpoint, where it came from)``, e.g. a list
    downloaded earlier): a history rewritten after a checkpoint was published does not match."""
    stored = {cp.date: cp for cp in AuditCheckpoint.objects.all()}
    anchors: dict[tuple[int, int], list[tuple[AuditCheckpoint, str, str]]] = {}

    def anchor(cp: AuditCheckpoint, source: str) -> Iterator[ChainProblem]:
        yield from _checkpoint_problems(cp, source)
        for chain, (seq, head_hash) in (checkpoint_anchors(cp) or {}).items():
            anchors.setdefault((chain, seq), []).append((cp, source, head_hash))

    for cp in stored.values():
        yield from anchor(cp, "")
    for cp, source in checkpoints:
        yield from anchor(cp, source)
        if cp.date not in stored:
            yield ChainProblem(
                cp.seq, "checkpoint", f"checkpoint of {cp.date}{source} is missing from the table"
            )

    def anchored(chain: int, seq: int, head_hash: str) -> Iterator[ChainProblem]:
        for cp, source, expected in anchors.pop((chain, seq), ()):
            if expected != head_hash:
                yield ChainProblem(
                    seq,
                    "checkpoint",
                    f"chain {chain} differs from the checkpoint of {cp.date}{source} (rewritten)",
                    chain,
                )

    heads = {
        chain: (seq, last_hash, head_mac)
        for chain, seq, last_hash, head_mac in AuditChainHead.objects.values_list(
            "chain", "seq", "last_hash", "mac"
        )
    }

    def finish(walk: _Walk) -> Iterator[ChainProblem]:
        for chain, seq in sorted(key for key in anchors if key[0] == walk.chain):
            for cp, source, _expected in anchors.pop((chain, seq)):
                yield walk.problem(
                    walk.last_seq + 1,
                    "truncated",
                    f"the checkpoint of {cp.date}{source} covers {seq} records, found "
                    f"{walk.last_seq} (chain {chain})",
                )
        yield from walk.head_problems(heads.get(walk.chain))

    walked: set[int] = set()
    walk: _Walk | None = None
    records = AuditRecord.objects.order_by("chain", "seq")
    for rec in records.iterator(chunk_size=batch_size):
        if walk is None or rec.chain != walk.chain:
            if walk is not None:
                yield from finish(walk)
            walk = _Walk(rec.chain)
            walked.add(rec.chain)
            yield from anchored(rec.chain, 0, GENESIS)
        yield from walk.check(rec)
        yield from anchored(rec.chain, rec.seq, rec.hash)
    if walk is not None:
        yield from finish(walk)
    for chain in sorted((set(heads) | {chain for chain, _seq in anchors}) - walked):
        yield from anchored(chain, 0, GENESIS)
        yield from finish(_Walk(chain))


def _segment(chain: int, start: tuple[int, str], upto_seq: int) -> list[ChainProblem]:
    after_seq, after_hash = start
    in_chain = AuditRecord.objects.filter(chain=chain)
    keyed = bool(after_seq and in_chain.filter(seq=after_seq).exclude(key_id="").exists())
    walk = _Walk(chain, after_seq, after_hash, keyed)
    problems: list[ChainProblem] = []
    records = in_chain.filter(seq__gt=after_seq, seq__lte=upto_seq).order_by("seq")
    for rec in records.iterator(chunk_size=5000):
        problems.extend(walk.check(rec))
    if walk.last_seq != upto_seq:
        problems.append(
            walk.problem(walk.last_seq + 1, "truncated", f"records up to {upto_seq} are missing")
        )
    return problems


def verify_segment(after: AuditCheckpoint | None, upto_seq: int) -> list[ChainProblem]:
    """Problems in chain 0's records after the checkpoint ``after`` up to ``upto_seq`` (the one
    chain before the split; :func:`verify_since` checks every chain)."""
    start = (checkpoint_anchors(after) or {}).get(0, (0, GENESIS)) if after else (0, GENESIS)
    return _segment(0, start, upto_seq)


def verify_since(
    after: AuditCheckpoint | None, heads: dict[int, tuple[int, str]]
) -> list[ChainProblem]:
    """Problems in every chain's records after the checkpoint ``after`` up to ``heads`` (from
    :func:`chain_heads`), and each head against its last record: what a new checkpoint checks
    before it signs, so it never vouches for a history already tampered."""
    starts = checkpoint_anchors(after) if after else {}
    if starts is None:
        return [ChainProblem(after.seq, "checkpoint", f"checkpoint of {after.date} is forged")]
    problems: list[ChainProblem] = []
    for chain, (seq, head_hash) in sorted(heads.items()):
        start = starts.get(chain, (0, GENESIS))
        found = _segment(chain, start, seq)
        if not found and seq and head_hash != _hash_at(chain, seq):
            found = [ChainProblem(seq, "edited", "last record does not match the head", chain)]
        problems.extend(found)
    return problems


def _hash_at(chain: int, seq: int) -> str:
    found = AuditRecord.objects.filter(chain=chain, seq=seq).values_list("hash", flat=True)
    return found.first() or ""


def legacy_records() -> int:
    """How many records precede the first keyed one (written before ADR 0010, all in chain 0):
    checked by their plain SHA-256 links only, which someone with database access could
    recompute."""
    chain = AuditRecord.objects.filter(chain=0)
    first_keyed = chain.exclude(key_id="").order_by("seq").values_list("seq", flat=True).first()
    if first_keyed is None:
        return chain.count()
    return chain.filter(seq__lt=first_keyed).count()


def history_of(obj: models.Model) -> models.QuerySet[AuditRecord]:
    """The audit records of one object, oldest first (for staff pages)."""
    return AuditRecord.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).order_by("id")
