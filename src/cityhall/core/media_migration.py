"""Copying the stored files between the file system and the S3-compatible store
(``cityhall migrate_media --to s3|fs``; ADR 0021).

Stored names are the same in both stores (the database keeps names, never addresses), so
moving a deployment is: copy, switch ``CITYHALL_S3_*`` on (or off), restart, copy again to
pick up what was uploaded in between. The copy is resumable: a file already in the target with
the same size and SHA-256 is skipped, so a run cut short is simply run again; a file in the
target that differs is overwritten. The source is left as it was, for the operator to remove
once the site works from the target. Each run is written to the audit chain.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.storage import Storage

from . import audit
from .object_store import SHA256_METADATA, is_s3, sha256, walk

__all__ = ["MigrationResult", "migrate_media"]


@dataclass
class MigrationResult:
    copied: int = 0
    skipped: int = 0
    bytes_copied: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.copied + self.skipped + len(self.failed)


def _digest(storage: Storage, name: str) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _already_there(target: Storage, name: str, *, size: int, digest: str) -> bool:
    if not target.exists(name) or target.size(name) != size:
        return False
    return sha256(target, name) == digest


def _copy(source: Storage, target: Storage, name: str, *, digest: str) -> None:
    with source.open(name, "rb") as handle:
        if is_s3(target):
            # Written under exactly this name (no suffix), with its hash kept beside it, so
            # the next run's check needs no download.
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            target.bucket.Object(target._normalize_name(name)).upload_fileobj(
                handle,
                ExtraArgs={"ContentType": content_type, "Metadata": {SHA256_METADATA: digest}},
            )
            return
        if target.exists(name):
            target.delete(name)
        saved = target.save(name, handle)
        if saved != name:  # pragma: no cover - a store that renamed it would break the records
            raise RuntimeError(f"{name} was stored as {saved}")


def migrate_media(
    *,
    source: Storage,
    target: Storage,
    actor: object = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> MigrationResult:
    """Copy every file of ``source`` missing or different in ``target``. ``progress(done,
    total, name)`` is called after each file."""
    names = list(walk(source))
    result = MigrationResult()
    for done, name in enumerate(names, start=1):
        try:
            digest, size = _digest(source, name)
            if _already_there(target, name, size=size, digest=digest):
                result.skipped += 1
            else:
                _copy(source, target, name, digest=digest)
                result.copied += 1
                result.bytes_copied += size
        except Exception:  # noqa: BLE001 - reported by name; the next run retries it
            result.failed.append(name)
        if progress is not None:
            progress(done, len(names), name)
    audit.record(
        actor=actor,
        action="media.migrated",
        object_type="media",
        after={
            "from": "s3" if is_s3(source) else "fs",
            "to": "s3" if is_s3(target) else "fs",
            "copied": result.copied,
            "skipped": result.skipped,
            "failed": len(result.failed),
        },
    )
    return result
