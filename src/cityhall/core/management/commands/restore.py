"""``cityhall restore DIR``: put a backup made by ``cityhall backup`` back, then check it
(core.backup). Stop the site and its workers first."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore the databases and media from a backup directory after checking its hashes; "
        "then compare row counts and verify the audit chain. Refuses to replace existing data "
        "without --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="a directory written by cityhall backup")
        parser.add_argument(
            "--force", action="store_true", help="replace the data this installation holds"
        )

    def handle(self, *args, **options):
        verbose = options["verbosity"] >= 2

        def progress(line: str) -> None:
            quiet = line.startswith(("checked media/", "media: ")) and not line.endswith(" files")
            if verbose or not quiet or "removed" in line:
                self.stdout.write(line)
                self.stdout.flush()

        try:
            restore_backup(options["directory"], force=options["force"], progress=progress)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"restored from {options['directory']}"))
