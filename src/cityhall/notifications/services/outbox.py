"""Writing the outbox: ``notify`` and ``notify_address`` render the event's template and write
one ``Message`` per channel that can reach the recipient, inside the caller's transaction.

Delivery is scheduled on commit: nothing is sent for a change that rolls back, and nothing slow
happens on the caller's request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections

from cityhall.core import bulk, jobs, oncommit, prepared

from ..channels import CHANNELS
from ..events import get_event
from ..models import ChannelCode, ChannelPreference, Message
from ..rendering import RenderedNotification, render_notification

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "SHORT_TEXT_CHANNELS",
    "notify",
    "notify_address",
    "preferences_loaded",
    "schedule_delivery",
]

logger = logging.getLogger(__package__)  # cityhall.notifications.services, as always


SHORT_TEXT_CHANNELS = {ChannelCode.SMS, ChannelCode.PUSH}


def _message(
    rendered: RenderedNotification,
    *,
    channel: str,
    address: str,
    recipient,
    url: str,
    unsubscribe_url: str = "",
) -> Message:
    short = channel in SHORT_TEXT_CHANNELS
    message = bulk.new(
        Message,
        recipient_id=getattr(recipient, "pk", None),
        channel=channel,
        address=address,
        event=rendered.event,
        language=rendered.language,
        template_version=rendered.template_version,
        subject=rendered.subject,
        body=rendered.short_text if short else rendered.body,
        body_html=rendered.body_html if channel == ChannelCode.EMAIL else "",
        url=url[:500],
        unsubscribe_url=unsubscribe_url[:500],
    )
    if recipient is not None:
        message._state.fields_cache["recipient"] = recipient
    return message


def _parts_for(channels: Iterable[str]) -> set[str]:
    """What the messages of these channels carry (see :func:`_message`); the subject always."""
    parts = {"subject"}
    for channel in channels:
        if channel in SHORT_TEXT_CHANNELS:
            parts.add("short_text")
        else:
            parts.add("body")
            if channel == ChannelCode.EMAIL:
                parts.add("body_html")
    return parts


def schedule_delivery(ids: list[int]) -> None:
    """Runs after commit (of writing the outbox, and of ``delivery.retry_message``). If the
    queue is unreachable the sweeper still finds the rows."""
    try:
        jobs.enqueue("notifications.deliver_messages", ids)
    except Exception:  # noqa: BLE001 - the outbox row is the source of truth
        logger.exception("could not enqueue delivery of messages %s; the sweeper will", ids)


def _enqueue(messages: list[Message]) -> list[Message]:
    if not messages:
        return []
    if oncommit.merging():
        # A batch registration: one INSERT for all its messages when the batch ends, in the
        # same transaction (the returned messages get their ids then).
        oncommit.at_end(_write, messages)
        return messages
    return _write(messages)


def _write(messages: list[Message]) -> list[Message]:
    """The outbox rows as prepared multi-row INSERTs (core.bulk): notify() runs on request
    intake, and building the ORM's INSERT cost more than running it."""
    created = bulk.insert_objects(messages)
    # Merged with the other messages of the batch inside core.oncommit.merged().
    oncommit.after_commit(schedule_delivery, [m.pk for m in created], using=Message.objects.db)
    return created


_LOADED: ContextVar[dict[int, dict[str, bool]] | None] = ContextVar("preferences", default=None)


def _preferences_query(connection, count: int) -> str:
    quote = connection.ops.quote_name
    return (
        f"SELECT {quote('user_id')}, {quote('channel')}, {quote('enabled')} "  # noqa: S608
        f"FROM {quote(ChannelPreference._meta.db_table)} "
        f"WHERE {quote('user_id')} IN ({', '.join(['%s'] * count)})"
    )


def _read_preferences(user_ids: list[int]) -> dict[int, dict[str, bool]]:
    """{user id: {channel: enabled}} the people chose, with one short prepared query."""
    found: dict[int, dict[str, bool]] = {pk: {} for pk in user_ids}
    if not user_ids:
        return found
    connection = connections[ChannelPreference.objects.db]
    with prepared.cursor(connection) as cursor:
        cursor.execute(_preferences_query(connection, len(user_ids)), user_ids)
        for user_id, channel, enabled in cursor.fetchall():
            found[user_id][channel] = bool(enabled)
    return found


@contextmanager
def preferences_loaded(user_ids: Iterable[int | None]) -> Iterator[None]:
    """Read these people's channel choices at once for the ``notify`` calls made inside: a
    batch registration notifying many people asks the database once, not once per person."""
    token = _LOADED.set(_read_preferences(sorted({pk for pk in user_ids if pk is not None})))
    try:
        yield
    finally:
        _LOADED.reset(token)


def _preferences(user_id: int) -> dict[str, bool]:
    """{channel: enabled} the person chose (loaded for a batch, else one query per notify)."""
    loaded = _LOADED.get()
    if loaded is not None and user_id in loaded:
        return loaded[user_id]
    return _read_preferences([user_id])[user_id]


def _chosen_channels(recipient: User, channels: Iterable[str] | None) -> list[tuple[str, str]]:
    if channels is None:
        prefs = _preferences(recipient.pk)
        chosen = [
            c
            for c in CHANNELS.values()
            if c.required or prefs.get(c.code, c.enabled_by_default(recipient))
        ]
    else:
        wanted = set(channels)
        unknown = wanted - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown notification channels: {sorted(unknown)}")
        chosen = [c for code, c in CHANNELS.items() if code in wanted]
    pairs: list[tuple[str, str]] = []
    for channel in chosen:
        if channel.is_configured():
            pairs.extend((channel.code, address) for address in channel.addresses_for(recipient))
    return pairs


def notify(
    *,
    recipient: User,
    event: str,
    context: dict[str, Any],
    channels: Iterable[str] | None = None,
    language: str | None = None,
) -> list[Message]:
    """Queue ``event`` for ``recipient`` on their channels; see the module docstring.

    An inactive (blocked) account gets nothing. ``context["url"]``, if given, is the link the
    cabinet and the browser notification open.
    """
    get_event(event)  # an undeclared event fails loudly even for a person with no channels
    if recipient is None or not recipient.is_active:
        return []
    pairs = _chosen_channels(recipient, channels)
    if not pairs:
        return []
    rendered = render_notification(
        event,
        language or recipient.preferred_language,
        context,
        parts=_parts_for(code for code, _address in pairs),
    )
    url = str(context.get("url", ""))
    return _enqueue(
        [
            _message(rendered, channel=code, address=address, recipient=recipient, url=url)
            for code, address in pairs
        ]
    )


def notify_address(
    *,
    email: str | None = None,
    phone: str | None = None,
    event: str,
    context: dict[str, Any],
    language: str = "ru",
    unsubscribe: str = "",
) -> list[Message]:
    """Queue ``event`` for a person without an account (a sign-up code, an applicant registered
    on paper): an e-mail to ``email`` and/or an SMS to ``phone``. With neither there is nobody
    to reach: nothing is queued (the event must still be declared).

    ``unsubscribe`` (a path of this site) marks a mailing-list message: the e-mail gets the
    ``List-Unsubscribe`` headers for one-click unsubscribing, with ``settings.SITE_URL``."""
    get_event(event)
    if not email and not phone:
        logger.info("%s: no e-mail address or phone number to notify", event)
        return []
    channels = ([ChannelCode.EMAIL] if email else []) + ([ChannelCode.SMS] if phone else [])
    rendered = render_notification(event, language, context, parts=_parts_for(channels))
    url = str(context.get("url", ""))
    messages = []
    if email:
        messages.append(
            _message(
                rendered,
                channel=ChannelCode.EMAIL,
                address=email,
                recipient=None,
                url=url,
                unsubscribe_url=settings.SITE_URL.rstrip("/") + unsubscribe if unsubscribe else "",
            )
        )
    if phone:
        messages.append(
            _message(rendered, channel=ChannelCode.SMS, address=phone, recipient=None, url=url)
        )
    return _enqueue(messages)
