"""The S3-compatible object store behind Django's storage API (ADR 0021).

The platform keeps files through ``django.core.files.storage.default_storage`` only: the local
file system by default (``MEDIA_ROOT``, zero set-up), or any S3-compatible store (MinIO, Ceph
RGW, a cloud's) when ``CITYHALL_S3_ENDPOINT`` / ``CITYHALL_S3_BUCKET`` are set — the options
come from ``settings.S3_STORAGE_OPTIONS`` and nothing else, so every process of a deployment
configures it the same way from its environment.

An object store that does not answer (refused connection, timeout, a 5xx) raises
:class:`StorageUnavailable` — a 503 with a "try again in a few minutes" message and a
``Retry-After`` header on pages and in the API — so an outage fails the uploads and file reads
that need the store, within seconds, and nothing else.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.translation import gettext_lazy as _
from storages.backends.s3 import S3Storage as BaseS3Storage

from .errors import DomainError

__all__ = [
    "S3Storage",
    "StorageUnavailable",
    "filesystem_storage",
    "is_s3",
    "s3_storage",
    "sha256",
    "walk",
]

#: SHA-256 of an object copied by ``migrate_media``, kept in the object's metadata.
SHA256_METADATA = "sha256"


class StorageUnavailable(DomainError):
    """The object store does not answer; the action can be tried again in a few minutes."""

    status = 503
    code = "storage_unavailable"
    retry_after = 120
    default_message = _(
        "Files cannot be stored or read at the moment. Please try again in a few minutes."
    )


def is_missing(error: BaseException) -> bool:
    """A "no such object" answer from the object store."""
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", "")) in {"404", "NoSuchKey", "NotFound"}


def is_outage(error: BaseException) -> bool:
    """The object store's client could not get an answer (connection, timeout, 5xx)."""
    from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

    if isinstance(error, ConnectionError | HTTPClientError):
        return True
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return int(status) >= 500
    return False


def _answering(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except Exception as error:
            if is_outage(error):
                raise StorageUnavailable() from error
            raise

    return wrapper


class S3Storage(BaseS3Storage):
    """django-storages' S3 storage configured from ``settings.S3_STORAGE_OPTIONS`` (overridden
    by ``STORAGES["default"]["OPTIONS"]``), with short timeouts and outages as
    :class:`StorageUnavailable`."""

    def __init__(self, **options: Any) -> None:
        from botocore.config import Config

        merged = {**getattr(settings, "S3_STORAGE_OPTIONS", {}), **options}
        connect_timeout = merged.pop("connect_timeout", 3)
        read_timeout = merged.pop("read_timeout", 10)
        merged.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": merged.get("addressing_style") or "path"},
                signature_version=merged.get("signature_version") or "s3v4",
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        )
        super().__init__(**merged)

    _save = _answering(BaseS3Storage._save)
    _open = _answering(BaseS3Storage._open)
    exists = _answering(BaseS3Storage.exists)
    size = _answering(BaseS3Storage.size)
    delete = _answering(BaseS3Storage.delete)


def is_s3(storage: Storage) -> bool:
    """An S3-compatible storage that can sign URLs (``storage`` may be ``default_storage``)."""
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def s3_storage(**options: Any) -> S3Storage:
    """The S3 store as configured by ``CITYHALL_S3_*``, whether or not it is the default."""
    return S3Storage(**options)


def filesystem_storage() -> FileSystemStorage:
    """The file-system store under ``MEDIA_ROOT``, whether or not it is the default."""
    return FileSystemStorage(location=settings.MEDIA_ROOT)


def walk(storage: Storage) -> Iterator[str]:
    """Every stored name, in a stable order (one listing request per 1,000 names on S3)."""
    if is_s3(storage):
        location = storage.location.strip("/")
        prefix = f"{location}/" if location else ""
        for obj in storage.bucket.objects.filter(Prefix=prefix):
            if not obj.key.endswith("/"):
                yield obj.key[len(prefix) :]
        return

    def folder(path: str) -> Iterator[str]:
        directories, files = storage.listdir(path)
        for name in sorted(files):
            yield f"{path}/{name}" if path else name
        for directory in sorted(directories):
            yield from folder(f"{path}/{directory}" if path else directory)

    yield from folder("")


def sha256(storage: Storage, name: str, *, trust_metadata: bool = True) -> str:
    """The file's SHA-256; on S3 taken from the object's metadata when it was written by
    ``migrate_media`` (no download), otherwise computed from the bytes."""
    if trust_metadata and is_s3(storage):
        metadata = storage.bucket.Object(storage._normalize_name(name)).metadata or {}
        if metadata.get(SHA256_METADATA):
            return metadata[SHA256_METADATA]
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
