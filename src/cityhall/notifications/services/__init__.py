"""Notifications: the public surface other apps call, and the delivery worker.

Other apps use only these::

    notify(*, recipient: User, event: str, context: dict,
           channels: Iterable[str] | None = None, language: str | None = None) -> list[Message]
    notify_address(*, email: str | None = None, phone: str | None = None, event: str,
                   context: dict, language: str = "ru") -> list[Message]
    register_event(code, *, description, default_templates, variables=())   # in ready()

``notify`` renders the event's template in the recipient's language (fallback ru → en → any)
— the whole message: pass status labels lazily and model wording through
``in_recipient_language(lambda: ...)``, never a ``str`` made in the acting person's language —
and writes one outbox :class:`Message` per channel — the channels the person chose, or exactly
``channels`` when given (e.g. ``["email"]`` for a security message) — limited to what can
reach them: no e-mail address, no e-mail; browser notifications only when the server has VAPID
keys and the person subscribed a browser. The personal cabinet is always possible and always
included when ``channels`` is None. Rows are written inside the caller's transaction
(one ``bulk_create``) and delivery is scheduled with ``transaction.on_commit``: nothing is sent
for a change that rolls back, and nothing slow happens on the caller's request.

Delivery (huey task ``tasks.deliver_messages(ids)``, the every-minute sweeper and
``cityhall deliver_notifications``) claims due messages — ``select_for_update(skip_locked=True)``
where the database has it, plus a claim lease, so two workers never send one message twice —
tries the channel, appends a :class:`DeliveryAttempt` and moves the status:
``queued → sent | delivered``, or ``temp_failed`` with exponential back-off (``backoff``),
ending ``perm_failed`` after ``NOTIFICATIONS_MAX_ATTEMPTS``. Administrators see failures on the
"Delivery problems" page and may retry one now (:func:`retry_message`, audited).

One module per workflow: ``outbox`` (notify, notify_address), ``delivery`` (the worker's side,
retries), ``recipients`` (reading, channel choices, push subscriptions), ``template_versions``
(seeding, saving and activating templates). The modules import each other only by public names;
this package re-exports their public surface.
"""

from __future__ import annotations

from ..events import register_event
from ..rendering import in_recipient_language
from .delivery import (
    deliver_due,
    deliver_messages,
    retry_message,
)
from .outbox import (
    notify,
    notify_address,
    preferences_loaded,
)
from .recipients import (
    add_push_subscription,
    mark_all_read,
    mark_read,
    remove_push_subscription,
    set_channel_preferences,
)
from .template_versions import (
    PLATFORM_VARIABLES,
    activate_template,
    check_template_syntax,
    save_template,
    sync_templates,
    template_variables,
    withdraw_translation,
)

__all__ = [
    "notify",
    "notify_address",
    "in_recipient_language",
    "preferences_loaded",
    "register_event",
    "deliver_messages",
    "deliver_due",
    "retry_message",
    "mark_read",
    "mark_all_read",
    "set_channel_preferences",
    "add_push_subscription",
    "remove_push_subscription",
    "sync_templates",
    "save_template",
    "PLATFORM_VARIABLES",
    "activate_template",
    "template_variables",
    "withdraw_translation",
    "check_template_syntax",
]
