"""``cityhall inbox failed`` lists submissions that could not be registered; ``cityhall inbox
retry ID … | --all`` gives them a fresh set of attempts (the inbox worker then registers them)."""

from django.core.management.base import BaseCommand, CommandError

from cityhall.core import inbox


class Command(BaseCommand):
    help = "List failed intake items, or requeue them for registration."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("failed", help="list the items that could not be registered")
        retry = actions.add_parser("retry", help="requeue failed items")
        retry.add_argument("ids", nargs="*", type=int, help="item ids (see 'failed')")
        retry.add_argument("--all", action="store_true", help="every failed item")

    def handle(self, *args, **options):
        if options["action"] == "failed":
            items = inbox.failed_items()
            for item in items:
                self.stdout.write(
                    f"{item.id}\t{item.kind}\t{item.received_at:%Y-%m-%d %H:%M:%S}\t"
                    f"attempts {item.attempts}\t{item.token}"
                )
            self.stdout.write(f"{len(items)} failed item(s)")
            return
        if bool(options["ids"]) == options["all"]:
            raise CommandError("give item ids or --all")
        count = inbox.requeue(ids=None if options["all"] else options["ids"])
        self.stdout.write(self.style.SUCCESS(f"{count} item(s) requeued"))
