"""``cityhall verify_audit``: walk every audit chain and report every edited or missing record,
checked against every checkpoint (stored, and a downloaded list with ``--checkpoint FILE``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.audit import chain_heads, legacy_records, verify_chain
from cityhall.core.audit_checkpoints import read_file
from cityhall.core.models import AuditCheckpoint

SHOWN = 50  # a wrong key breaks every record: show the first ones, count the rest


class Command(BaseCommand):
    help = (
        "Verify the audit trail's keyed hash chains against their heads and checkpoints; exit 1 "
        "if any record was edited, added, deleted or moved."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="append",
            default=[],
            metavar="FILE",
            help="a checkpoint list downloaded earlier (/audit/checkpoints.json or .csv)",
        )

    def handle(self, *args, **options):
        extra = []
        for name in options["checkpoint"]:
            try:
                extra += [(cp, f" in {name}") for cp in read_file(Path(name))]
            except (OSError, ValueError) as exc:
                raise CommandError(f"{name}: {exc}") from exc
        problems = list(verify_chain(checkpoints=extra))
        heads = chain_heads()
        total = sum(seq for seq, _hash in heads.values())
        if problems:
            for problem in problems[:SHOWN]:
                self.stderr.write(
                    f"chain {problem.chain}, record {problem.seq}: {problem.kind}: {problem.detail}"
                )
            if len(problems) > SHOWN:
                self.stderr.write(f"… and {len(problems) - SHOWN} more")
            raise CommandError(f"audit trail is broken: {len(problems)} problem(s)")
        checkpoints = AuditCheckpoint.objects.count() + len(extra)
        self.stdout.write(
            self.style.SUCCESS(
                f"audit trail intact: {total} records verified in "
                f"{sum(1 for seq, _hash in heads.values() if seq)} chain(s), "
                f"{checkpoints} checkpoint(s) match"
            )
        )
        legacy = legacy_records()
        if legacy:
            self.stdout.write(
                self.style.WARNING(
                    f"{legacy} legacy record(s) (1..{legacy}) in chain 0 were written before keys: "
                    "their plain SHA-256 links could be recomputed by someone with database access"
                )
            )
