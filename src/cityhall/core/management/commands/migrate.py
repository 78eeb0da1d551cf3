"""``cityhall migrate``: Django's migrate, for every configured database when none is named.

With the inbox in its own SQLite file (core.routers, ADR 0007) a fresh installation needs both
databases migrated; ``--database NAME`` migrates only that one, as Django's command does (the
test runner names each database itself).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands import migrate


class Command(migrate.Command):
    help = migrate.Command.help + " Without --database: every configured database."

    _every_database = False

    def run_from_argv(self, argv):
        self._every_database = not any(a.startswith("--database") for a in argv)
        super().run_from_argv(argv)

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if self._every_database:
            for alias in settings.DATABASES:
                # a read replica (core.replicas) receives the schema from its primary
                if alias != options["database"] and alias not in settings.REPLICAS:
                    super().handle(*args, **{**options, "database": alias})
