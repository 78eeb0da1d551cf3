"""Backup and restore of everything the site keeps: its databases and the uploaded media.

``cityhall backup DIR`` works while the site runs. With SQLite every file (the main database,
the intake inbox, huey's queue) is copied with SQLite's online backup API, which gives a
consistent copy of each file however busy the writers are; on PostgreSQL ``pg_dump`` writes a
custom-format dump from one snapshot. The media files are copied beside them, and
``manifest.json`` is written last: the size and SHA-256 of every file, the row count of every
table and the audit chain's head, all read from the copies (or the dump's snapshot), so the
manifest describes exactly what was saved. A directory without a manifest is an unfinished
backup.

``cityhall restore DIR`` refuses before changing anything when a file is missing or does not
match its hash, when the backup is of another database vendor or layout, or when the target
already holds data (``--force`` replaces it). Afterwards it compares every table's row count
with the manifest and walks the audit chain (:func:`core.audit.verify_chain`).

The SQLite files are copied one after another, so they are consistent each on its own, not with
one another. The inbox is copied before the main file: an item registered between the two
copies is then pending in the inbox copy and already registered in the main copy, and the inbox
settles it from its ``InboxRegistration`` row instead of registering it twice (core.inbox).
An item received *and* registered between the copies is in the main copy only; the inbox copy's
id sequence is moved past it so that a new item never takes its id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connections, router

import cityhall

from .audit import chain_heads, verify_chain
from .audit_chains import heads_text
from .models import AuditChainHead, AuditRecord, InboxItem, InboxRegistration

__all__ = ["BackupError", "create_backup", "restore_backup", "read_manifest", "MANIFEST"]

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DATABASES = "databases"
HUEY = "huey"  # the name of huey's SQLite file among the databases
PG_DUMP = "default.pgdump"
_CHUNK = 1024 * 1024

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what was (not) changed."""


def _quiet(message: str) -> None:
    pass


# --- What there is to save --------------------------------------------------------------------


def _vendor() -> str:
    return connections["default"].vendor


def sqlite_files() -> list[tuple[str, Path]]:
    """The SQLite files of this installation, in the order they are copied: the inbox before
    the main file (see the module's docstring), huey's queue last. Names come from the live
    connections, so a test run backs up its test databases."""
    files: list[tuple[str, Path]] = []
    inbox = router.db_for_write(InboxItem)  # "inbox" when the inbox has a file of its own
    for alias in dict.fromkeys((inbox, "default")):
        if connections[alias].vendor == "sqlite":
            files.append((alias, Path(connections[alias].settings_dict["NAME"])))
    huey_file = huey_sqlite_file()
    if huey_file is not None:
        files.append((HUEY, huey_file))
    return files


def huey_sqlite_file() -> Path | None:
    """huey's queue file, when huey keeps its queue in SQLite (no ``REDIS_URL``)."""
    huey = getattr(settings, "HUEY", {})
    if not str(huey.get("huey_class", "")).endswith("SqliteHuey"):
        return None
    return Path(huey["filename"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(root: Path, path: Path, role: str, **extra: Any) -> dict[str, Any]:
    return {
        "path": path.relative_to(root).as_posix(),
        "role": role,
        "size": path.stat().st_size,
        "sha256": _sha256(path),
        **extra,
    }


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


# --- Backup -------------------------------------------------------------------------------------


def create_backup(directory: Path, *, progress: Progress = _quiet) -> dict[str, Any]:
    """Save the databases and media into ``directory`` (new or empty); returns the manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: back up into a new directory")
    (directory / DATABASES).mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    files: list[dict[str, Any]] = []
    tables: dict[str, dict[str, int]] = {}
    if vendor == "sqlite":
        copies: dict[str, Path] = {}
        for name, source in sqlite_files():
            if not source.exists():
                progress(f"{name}: {source} does not exist, skipped")
                continue
            copies[name] = directory / DATABASES / f"{name}.sqlite3"
            _copy_sqlite(source, copies[name], progress=progress, label=name)
        if "inbox" in copies and "default" in copies:
            _move_inbox_ids_past_registrations(copies["inbox"], copies["default"])
        for name, copy in copies.items():
            tables[name] = _sqlite_counts(copy)
            files.append(_entry(directory, copy, "database", database=name))
        head = _sqlite_audit_head(copies["default"])
    elif vendor == "postgresql":
        dump = directory / DATABASES / PG_DUMP
        tables["default"], head = _pg_dump(dump, progress=progress)
        files.append(_entry(directory, dump, "database", database="default"))
        huey_file = huey_sqlite_file()
        if huey_file is not None and huey_file.exists():
            copy = directory / DATABASES / f"{HUEY}.sqlite3"
            _copy_sqlite(huey_file, copy, progress=progress, label=HUEY)
            tables[HUEY] = _sqlite_counts(copy)
            files.append(_entry(directory, copy, "database", database=HUEY))
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    files.extend(_copy_media(Path(settings.MEDIA_ROOT), directory, progress=progress))
    manifest = {
        "format": FORMAT,
        "cityhall": cityhall.__version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "vendor": vendor,
        "files": files,
        "tables": tables,
        "audit_head": head,
    }
    # Written last and renamed into place: a directory without it is an unfinished backup.
    partial = directory / f"{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, directory / MANIFEST)
    rows = sum(sum(counts.values()) for counts in tables.values())
    progress(f"backup complete: {len(files)} files, {rows} rows, audit head {head['seq']}")
    return manifest


def _copy_sqlite(source: Path, target: Path, *, progress: Progress, label: str) -> None:
    """One consistent copy of a live SQLite file, as a single self-contained file (the copy is
    switched out of WAL mode so no ``-wal`` file belongs to it)."""
    # Not read-only: a WAL file that no process has open may need its -shm file made again.
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    progress(f"{label}: copied {source.name} ({target.stat().st_size} bytes)")


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [name for (name,) in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {_quote(table)}").fetchone()[0]  # noqa: S608
            for table in _sqlite_tables(db)
        }


def _audit_head(rows) -> dict[str, Any]:
    """The audit chains' heads as the manifest keeps them: records in all, every chain's
    ``seq:hash`` (ADR 0032)."""
    heads = {chain: (seq, last_hash) for chain, seq, last_hash in rows}
    return {"seq": sum(seq for seq, _hash in heads.values()), "heads": heads_text(heads)}


def _sqlite_audit_head(path: Path) -> dict[str, Any]:
    table = _quote(AuditChainHead._meta.db_table)
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute(f"SELECT chain, seq, last_hash FROM {table}").fetchall()  # noqa: S608
    return _audit_head(rows)


def _move_inbox_ids_past_registrations(inbox: Path, main: Path) -> None:
    items = InboxItem._meta.db_table
    registrations = _quote(InboxRegistration._meta.db_table)
    with closing(sqlite3.connect(f"file:{main}?mode=ro", uri=True)) as db:
        (last_registered,) = db.execute(
            f"SELECT COALESCE(MAX(item_id), 0) FROM {registrations}"  # noqa: S608
        ).fetchone()
    with closing(sqlite3.connect(inbox)) as db, db:
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", [items]).fetchone()
        if row is None:
            db.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", [items, 0])
        db.execute(
            "UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", [last_registered, items]
        )


def _copy_media(root: Path, directory: Path, *, progress: Progress) -> list[dict[str, Any]]:
    entries = []
    for source in _media_files(root):
        target = directory / MEDIA / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        entries.append(_entry(directory, target, "media"))
        progress(f"media: {target.relative_to(directory / MEDIA)}")
    progress(f"media: {len(entries)} files")
    return entries


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_environment() -> dict[str, str]:
    """libpq's variables for the default database: the password stays out of the process list."""
    db = connections["default"].settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGDATABASE", "NAME"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    return env


def _run(command: list[str], *, what: str) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} not found: install PostgreSQL's client programs")
    done = subprocess.run(command, env=_pg_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip()}")


@contextmanager
def _pg_snapshot() -> Iterator[Any]:
    """A connection of its own in a read-only REPEATABLE READ transaction whose snapshot is
    exported, so that ``pg_dump --snapshot`` and our row counts see the same moment."""
    connection = connections["default"]
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            yield cursor
    finally:
        raw.rollback()
        raw.close()


def _pg_dump(dump: Path, *, progress: Progress) -> tuple[dict[str, int], dict[str, Any]]:
    with _pg_snapshot() as cursor:
        (snapshot,) = cursor.fetchone()
        progress("default: pg_dump (custom format) …")
        _run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
            what="pg_dump",
        )
        progress(f"default: dumped ({dump.stat().st_size} bytes)")
        counts = _pg_counts(cursor)
        cursor.execute(
            f"SELECT chain, seq, last_hash FROM {AuditChainHead._meta.db_table}"  # noqa: S608
        )
        rows = cursor.fetchall()
    return counts, _audit_head(rows)


def _pg_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


# --- Restore ------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} holds no {MANIFEST}: not a backup, or an unfinished one")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise BackupError(f"{MANIFEST} is damaged ({error}); nothing was changed") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def check_files(directory: Path, manifest: dict[str, Any], *, progress: Progress = _quiet) -> None:
    """Every file of the manifest is there with its size and SHA-256, or BackupError."""
    damaged = []
    for entry in manifest["files"]:
        path = Path(directory) / entry["path"]
        if not path.is_file():
            damaged.append(f"{entry['path']}: missing")
        elif path.stat().st_size != entry["size"]:
            damaged.append(f"{entry['path']}: {path.stat().st_size} bytes, not {entry['size']}")
        elif _sha256(path) != entry["sha256"]:
            damaged.append(f"{entry['path']}: SHA-256 does not match")
        else:
            progress(f"checked {entry['path']}")
    if damaged:
        raise BackupError("the backup is damaged, nothing was changed:\n  " + "\n  ".join(damaged))


def _target_holds_data() -> str:
    """Why the installation is not empty ('' when it is): data a restore would overwrite."""
    media = next(_media_files(Path(settings.MEDIA_ROOT)), None)
    if media is not None:
        return f"media file {media}"
    for label, model in (
        ("audit records", AuditRecord),
        ("users", get_user_model()),
        ("inbox items", InboxItem),
    ):
        try:
            if model.objects.exists():
                return label
        except DatabaseError:  # no such table: a new, unmigrated database
            continue
    return ""


def _database_targets(manifest: dict[str, Any]) -> dict[str, Path | None]:
    """Where each saved database goes in this installation (None: PostgreSQL's default)."""
    vendor = _vendor()
    if manifest["vendor"] != vendor:
        raise BackupError(
            f"this backup is of a {manifest['vendor']} installation and this one uses {vendor}; "
            "nothing was changed"
        )
    saved = {e["database"] for e in manifest["files"] if e["role"] == "database"}
    here = dict(sqlite_files()) if vendor == "sqlite" else {}
    if vendor == "postgresql":
        here["default"] = None
        huey_file = huey_sqlite_file()
        if huey_file is not None:
            here[HUEY] = huey_file
    missing = (saved - {HUEY}) ^ (set(here) - {HUEY})
    if missing:
        raise BackupError(
            f"the backup's databases ({', '.join(sorted(saved))}) do not match this "
            f"installation's ({', '.join(sorted(here))}): check CITYHALL_INBOX_FILE; "
            "nothing was changed"
        )
    return {name: here.get(name) for name in saved}


def restore_backup(
    directory: Path, *, force: bool = False, progress: Progress = _quiet
) -> dict[str, Any]:
    """Replace this installation's databases and media with the backup's, then check them.
    Stop the site first (``cityhall serve``, the huey and inbox workers)."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    check_files(directory, manifest, progress=progress)
    targets = _database_targets(manifest)
    if not force and (found := _target_holds_data()):
        raise BackupError(
            f"this installation already holds data ({found}); restore with --force to replace "
            "it (back it up first); nothing was changed"
        )
    connections.close_all()
    for entry in manifest["files"]:
        if entry["role"] != "database":
            continue
        name, source = entry["database"], directory / entry["path"]
        target = targets[name]
        if name == HUEY and target is None:
            progress("huey: this installation keeps its queue in Redis; the saved queue skipped")
        elif target is None:
            progress("default: pg_restore …")
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    f"--dbname={_pg_environment()['PGDATABASE']}",
                    str(source),
                ],
                what="pg_restore",
            )
            progress("default: restored")
        else:
            _restore_sqlite(source, target)
            progress(f"{name}: restored {target}")
    _restore_media(directory, manifest, Path(settings.MEDIA_ROOT), progress=progress)
    connections.close_all()
    return verify_restored(manifest, targets, progress=progress)


def _restore_sqlite(source: Path, target: Path) -> None:
    """The backup API in reverse: the target file is rewritten in one transaction, so a process
    that still has it open sees either the old or the new database, and WAL mode is kept."""
    target.parent.mkdir(parents=True, exist_ok=True)
    source_uri = f"file:{source}?mode=ro"
    with (
        closing(sqlite3.connect(source_uri, uri=True)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        dst.execute("PRAGMA journal_mode=WAL")
        src.backup(dst)


def _restore_media(
    directory: Path, manifest: dict[str, Any], root: Path, *, progress: Progress
) -> None:
    saved = [e for e in manifest["files"] if e["role"] == "media"]
    keep = {root / Path(e["path"]).relative_to(MEDIA) for e in saved}
    for stale in list(_media_files(root)):
        if stale not in keep:
            stale.unlink()
            progress(f"media: removed {stale.relative_to(root)} (not in the backup)")
    for entry in saved:
        target = root / Path(entry["path"]).relative_to(MEDIA)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(directory / entry["path"], target)
        progress(f"media: {target.relative_to(root)}")
    progress(f"media: {len(saved)} files")


def verify_restored(
    manifest: dict[str, Any], targets: dict[str, Path | None], *, progress: Progress = _quiet
) -> dict[str, Any]:
    """Row counts equal the manifest's, the audit chain is intact and ends at the saved head."""
    problems = []
    for name, expected in manifest["tables"].items():
        target = targets.get(name)
        if target is None and name == "default":
            with _pg_snapshot() as cursor:
                found = _pg_counts(cursor)
        elif target is None:
            continue  # huey's queue, kept in Redis here
        else:
            found = _sqlite_counts(target)
        for table, rows in expected.items():
            if found.get(table) != rows:
                problems.append(f"{name}.{table}: {found.get(table)} rows, expected {rows}")
        progress(f"{name}: {len(expected)} tables counted")
    chain = list(verify_chain())
    problems += [f"audit chain {p.chain}, record {p.seq}: {p.kind}: {p.detail}" for p in chain]
    head = _audit_head([(number, *found) for number, found in chain_heads().items()])
    if head != manifest["audit_head"]:
        problems.append(f"audit head is {head}, the backup's is {manifest['audit_head']}")
    if problems:
        raise BackupError("restored, but the check failed:\n  " + "\n  ".join(problems))
    progress(f"audit trail intact: {head['seq']} records verified")
    return {"tables": manifest["tables"], "audit_head": head}
