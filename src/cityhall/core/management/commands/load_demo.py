"""``cityhall load_demo``: load the demo city and print the demo logins.

Each app may have a ``demo`` module with ``load(stdout) -> list[DemoLogin]``; they run in
``INSTALLED_APPS`` order (so geo comes before the modules that need buildings). Loading twice
changes nothing: every app's loader is idempotent.
"""

from __future__ import annotations

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from cityhall.core.demo import DemoLogin


class Command(BaseCommand):
    help = "Load a realistic demo city (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true")

    def handle(self, *args, quiet_logins=False, **options):
        logins: list[DemoLogin] = []
        for config in apps.get_app_configs():
            if not config.name.startswith("cityhall."):
                continue
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            module = importlib.import_module(module_name)
            if not hasattr(module, "load"):
                continue
            self.stdout.write(f"demo: {config.label} …")
            with transaction.atomic():
                logins.extend(module.load(self.stdout) or [])
        if quiet_logins:
            return
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins (password / second factor):"))
        self.stdout.write(
            "  Staff sign in with a second factor: the current code is printed by "
            "`.venv/bin/cityhall totp_code USERNAME` (or add the secret from "
            "`cityhall totp_setup USERNAME` to an authenticator app)."
        )
        width = max((len(login.username) for login in logins), default=10)
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password:<14} {login.role}"
                + (f" — {login.note}" if login.note else "")
            )
