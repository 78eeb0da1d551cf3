"""``cityhall verify_audit``: walk the audit chain and report every edited or missing record."""

from django.core.management.base import BaseCommand, CommandError

from cityhall.core.audit import verify_chain
from cityhall.core.models import AuditChainHead


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; exit 1 if any record was edited or deleted."

    def handle(self, *args, **options):
        problems = list(verify_chain())
        head = AuditChainHead.objects.filter(pk=1).first()
        total = head.seq if head else 0
        if problems:
            for problem in problems:
                self.stderr.write(f"record {problem.seq}: {problem.kind}: {problem.detail}")
            raise CommandError(f"audit trail is broken: {len(problems)} problem(s)")
        self.stdout.write(self.style.SUCCESS(f"audit trail intact: {total} records verified"))
