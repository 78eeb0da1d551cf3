"""``cityhall migrate_media --to s3|fs``: copy the stored files from the file system
(``MEDIA_ROOT``) to the S3-compatible store set by ``CITYHALL_S3_*``, or back. Resumable: what
is already in the target with the same size and SHA-256 is skipped (core.media_migration)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.media_migration import migrate_media
from cityhall.core.object_store import StorageUnavailable, filesystem_storage, s3_storage


class Command(BaseCommand):
    help = "Copy stored files to the S3-compatible store (--to s3) or to MEDIA_ROOT (--to fs)."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, choices=["s3", "fs"], help="the target store")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, to: str, no_progress: bool = False, **options):
        filesystem, s3 = filesystem_storage(), s3_storage()
        source, target = (filesystem, s3) if to == "s3" else (s3, filesystem)
        show = not no_progress

        def progress(done: int, total: int, name: str) -> None:
            width = 30
            filled = width * done // total if total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stderr.write(f"\r[{bar}] {done}/{total}", ending="")
            if done == total:
                self.stderr.write("")
            sys.stderr.flush()

        try:
            result = migrate_media(
                source=source, target=target, progress=progress if show else None
            )
        except StorageUnavailable as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(
            f"{result.copied} file(s) copied ({result.bytes_copied} bytes), "
            f"{result.skipped} already there, {len(result.failed)} failed."
        )
        for name in result.failed:
            self.stderr.write(f"failed: {name}")
        if result.failed:
            raise CommandError("Some files were not copied; run the command again.")
