"""``cityhall backup DIR``: a consistent copy of the databases and media while the site runs
(core.backup; SQLite's online backup API, or ``pg_dump`` on PostgreSQL)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Save every database (SQLite files or a pg_dump) and the media into a new directory, "
        "with a manifest of hashes, row counts and the audit chain's head."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a new or empty directory")

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2

        def progress(line: str) -> None:
            # Media files one by one only with -v 2: there may be many thousands.
            if verbose or not line.startswith("media: ") or line.endswith(" files"):
                self.stdout.write(line)
                self.stdout.flush()

        try:
            create_backup(options["directory"], progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"backup written to {options['directory']}"))
