"""The audit trail's fixed set of chains: which chain a record joins, and the heads' summary a
checkpoint signs (ADR 0032).

One chain head serialised every audited write of a cluster (ADR 0002). The trail is therefore
:data:`CHAINS` chains, each with its own head row, so writers acting on different objects append
in parallel. A transaction appends to the chain of the first object it audits and keeps that
chain for every later record, so it never holds two heads at once and two transactions can never
wait for each other's heads (no deadlock). The records before the split are chain 0's history,
unchanged. A checkpoint signs every chain's head at once (:func:`heads_text`,
:func:`heads_digest`), so ``cityhall verify_audit`` stays one proof over all chains.
"""

from __future__ import annotations

import hashlib
import zlib

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "CHAINS",
    "chain_of",
    "chain_for_transaction",
    "heads_text",
    "parse_heads",
    "heads_digest",
]

#: Fixed: a record's chain is part of its hash. More chains than concurrent writers make two
#: writers rarely meet on one head; 16 heads cost a checkpoint 16 short reads.
CHAINS = 16

GENESIS = "0" * 64

_HELD = "_cityhall_audit_chain"


def chain_of(object_type: str, object_id: str | int) -> int:
    """The chain an object's records start in: a stable hash (CRC-32, the same in every process
    and release) of ``type:id`` modulo :data:`CHAINS`."""
    return zlib.crc32(f"{object_type}:{object_id}".encode()) % CHAINS


class _ChainHeld:
    """A no-op on-commit callback marking "this transaction holds a chain head": Django drops it
    when the transaction (or the savepoint that took the head) commits or rolls back, which is
    exactly when the database releases the head's row lock."""

    __slots__ = ()

    def __call__(self) -> None:
        return None


def chain_for_transaction(connection: BaseDatabaseWrapper, natural: int) -> int:
    """The chain the current transaction appends to: the one it already locked, else
    ``natural`` (the first audited object's chain), remembered for the rest of the transaction.
    Must be called inside the atomic block that appends."""
    held = getattr(connection, _HELD, None)
    if held is not None and connection.in_atomic_block:
        chain, marker = held
        if any(entry[1] is marker for entry in connection.run_on_commit):
            return chain
    marker = _ChainHeld()
    transaction.on_commit(marker, using=connection.alias)
    setattr(connection, _HELD, (natural, marker))
    return natural


def heads_text(heads: dict[int, tuple[int, str]]) -> str:
    """Every chain's head as one line, ``seq:hash`` per chain in chain order, separated by
    spaces; a chain without a head row is ``0:GENESIS``. What a checkpoint stores and
    publishes."""
    return " ".join(
        "{}:{}".format(*heads.get(chain, (0, GENESIS)))
        for chain in range(max(CHAINS, max(heads, default=-1) + 1))
    )


def parse_heads(text: str) -> dict[int, tuple[int, str]] | None:
    """:func:`heads_text` read back; None when ``text`` is not such a line."""
    heads: dict[int, tuple[int, str]] = {}
    for chain, part in enumerate(text.split()):
        seq, _, last_hash = part.partition(":")
        if not seq.isdigit() or len(last_hash) != 64:
            return None
        heads[chain] = (int(seq), last_hash)
    return heads or None


def heads_digest(text: str) -> str:
    """The checkpoint's ``head_hash`` when it anchors every chain: SHA-256 of the heads' line,
    so the signature over (date, records, head hash, key) covers every chain's head."""
    return hashlib.sha256(f"cityhall-audit-heads|{text}".encode()).hexdigest()
