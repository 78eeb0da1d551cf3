"""Where the intake inbox lives (ADR 0007).

With a database alias ``inbox`` configured (the SQLite default: a file of its own beside the main
one), ``core.InboxItem`` and ``core.InboxClaim`` (its repeat keys) are read and written there and
that database holds nothing else; every other model, and those two when there is no ``inbox``
alias, stays in ``default``.
"""

from __future__ import annotations

from django.conf import settings

INBOX = "inbox"
_INBOX_MODELS = {("core", "inboxitem"), ("core", "inboxclaim")}


def inbox_alias() -> str:
    """The alias holding the inbox: ``inbox`` when configured, else ``default``."""
    return INBOX if INBOX in settings.DATABASES else "default"


class InboxRouter:
    def _route(self, model, **hints):
        if (model._meta.app_label, model._meta.model_name) in _INBOX_MODELS:
            return inbox_alias()
        return None

    db_for_read = _route
    db_for_write = _route

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == INBOX:
            return (app_label, model_name) in _INBOX_MODELS
        if (app_label, model_name) in _INBOX_MODELS:
            return inbox_alias() == db
        return None
