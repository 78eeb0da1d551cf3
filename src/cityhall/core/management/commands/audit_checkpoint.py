"""``cityhall audit_checkpoint``: sign and store today's head of the audit chain (ADR 0010)."""

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.audit_checkpoints import CheckpointRefused, take_checkpoint


class Command(BaseCommand):
    help = (
        "Sign and store today's checkpoint of the audit chain (also run daily by the worker); "
        "exit 1 if the records since the last checkpoint do not verify."
    )

    def handle(self, *args, **options):
        try:
            checkpoint = take_checkpoint()
        except CheckpointRefused as refused:
            for problem in refused.problems[:50]:
                self.stderr.write(f"record {problem.seq}: {problem.kind}: {problem.detail}")
            raise CommandError(str(refused)) from refused
        self.stdout.write(
            self.style.SUCCESS(
                f"checkpoint {checkpoint.date}: {checkpoint.seq} records, "
                f"head {checkpoint.head_hash}, key {checkpoint.key_id}"
            )
        )
