"""``cityhall strip_attachment_metadata``: re-encode proposal photos stored with their EXIF."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from cityhall.discussions import services


class Command(BaseCommand):
    help = (
        "Re-encode proposal image attachments that still carry EXIF/XMP/text (stored before "
        "uploads were cleaned on the way in); safe to run again."
    )

    def handle(self, *args, **options) -> None:
        count = services.strip_attachment_metadata()
        self.stdout.write(f"{count} attachment(s) re-encoded without metadata.")
