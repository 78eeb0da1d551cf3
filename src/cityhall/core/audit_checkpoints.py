"""Daily checkpoints of the audit chains: their heads, keyed, published (ADR 0010, 0032).

The chains and their heads live in one database, so someone who can write it could rewrite the
end of the history and move a head. A checkpoint copies every chain's head (records so far, last
hash) out of reach: signed with the audit key, listed on a public page and in open data. Anyone
holding an older list can have it checked (``cityhall verify_audit --checkpoint FILE``): a
history rewritten after a checkpoint was published no longer matches it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import audit, audit_chains, audit_keys
from .models import AuditCheckpoint

__all__ = [
    "CheckpointRefused",
    "take_checkpoint",
    "published",
    "as_csv",
    "read_file",
    "FIELDS",
]

log = logging.getLogger(__name__)

FIELDS = ["date", "seq", "head_hash", "key_id", "signature", "heads"]


class CheckpointRefused(Exception):
    """The chain since the last checkpoint does not verify: signing it would vouch for it."""

    def __init__(self, problems: list[audit.ChainProblem]):
        self.problems = problems
        super().__init__(f"audit chain does not verify: {len(problems)} problem(s)")


def take_checkpoint(*, day: dt.date | None = None) -> AuditCheckpoint:
    """Sign and store every chain's head for ``day`` (today by default); at most one per day, a
    second call returns the first. Checks each chain's records since the previous checkpoint
    first and refuses (:class:`CheckpointRefused`) when they do not verify. Takes no lock: the
    head rows, read in one statement, are consistent with the records committed before them;
    appends go on meanwhile. ``seq`` is the records of all chains, ``head_hash`` the digest of
    the heads' line, so the signature covers every head."""
    day = day or timezone.localdate()
    existing = AuditCheckpoint.objects.filter(date=day).first()
    if existing is not None:
        return existing
    heads = audit.chain_heads()
    heads_text = audit_chains.heads_text(heads)
    parsed = audit_chains.parse_heads(heads_text) or {}
    seq = sum(chain_seq for chain_seq, _hash in parsed.values())
    head_hash = audit_chains.heads_digest(heads_text)
    previous = AuditCheckpoint.objects.filter(date__lt=day).order_by("-date").first()
    problems = audit.verify_since(previous, parsed)
    if problems:
        log.error("audit checkpoint refused: %s", problems[:5])
        raise CheckpointRefused(problems)
    key_id, _secret = audit_keys.current()
    signature = audit.checkpoint_signature(key_id, day, seq, head_hash)
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(
                date=day,
                seq=seq,
                head_hash=head_hash,
                heads=heads_text,
                key_id=key_id,
                signature=signature,
            )
    except IntegrityError:  # another worker took it meanwhile
        return AuditCheckpoint.objects.get(date=day)


def published() -> list[dict[str, Any]]:
    """Every checkpoint as published (page, JSON, CSV, open data), oldest first."""
    return [
        {
            "date": cp.date.isoformat(),
            "seq": cp.seq,
            "head_hash": cp.head_hash,
            "key_id": cp.key_id,
            "signature": cp.signature,
            "heads": cp.heads,
        }
        for cp in AuditCheckpoint.objects.order_by("date")
    ]


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def read_file(path: Path) -> list[AuditCheckpoint]:
    """Checkpoints from a list downloaded earlier (the JSON or CSV download), unsaved, for
    :func:`audit.verify_chain`. Raises ``ValueError`` on a file that is not such a list."""
    text = path.read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        rows = json.loads(text)
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
    checkpoints = []
    for row in rows:
        try:
            checkpoints.append(
                AuditCheckpoint(
                    date=dt.date.fromisoformat(str(row["date"])),
                    seq=int(row["seq"]),
                    head_hash=str(row["head_hash"]),
                    key_id=str(row["key_id"]),
                    signature=str(row["signature"]),
                    # Lists downloaded before the chains were split have no heads.
                    heads=str(row.get("heads") or ""),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a checkpoint list: {row!r}") from exc
    return checkpoints


def declare_dataset() -> None:
    """The checkpoints as an open data set (the ``opendata`` app publishes it): anyone can keep
    the platform's history and hold it to it."""
    from django.utils.translation import gettext_lazy as _

    from .opendata import Dataset, Field, register_dataset

    def rows(after=None, filters=None, using=None):
        found = AuditCheckpoint.objects.using(using or "default").order_by("id")
        if after is not None:
            found = found.filter(id__gt=after)
        for row in found.values("id", "date", "seq", "head_hash", "key_id", "signature", "heads"):
            yield {**row, "records": row.pop("seq")}

    register_dataset(
        Dataset(
            code="audit-checkpoints",
            title=_("Audit trail checkpoints"),
            description=_(
                "The audit chain's head as it was at the end of each day, signed: keep a copy, "
                "and `cityhall verify_audit --checkpoint FILE` proves any later history "
                "continues it unchanged."
            ),
            fields=(
                Field("id", "integer", _("Row key"), english="row key"),
                Field("date", "date", _("Date"), english="date"),
                Field("records", "integer", _("Records in the chain"), english="records"),
                Field("head_hash", "string", _("Head hash (SHA-256)"), english="head hash"),
                Field("key_id", "string", _("Signing key"), english="key id"),
                Field("signature", "string", _("Signature (HMAC-SHA-256)"), english="signature"),
                Field("heads", "string", _("Chain heads"), english="chain heads"),
            ),
            rows=rows,
            keywords=(_("audit trail"),),
            order=90,
        )
    )
