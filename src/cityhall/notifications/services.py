"""Notifications: the public surface other apps call, and the delivery worker.

Other apps use only these::

    notify(*, recipient: User, event: str, context: dict,
           channels: Iterable[str] | None = None, language: str | None = None) -> list[Message]
    notify_address(*, email: str | None = None, phone: str | None = None, event: str,
                   context: dict, language: str = "ru") -> list[Message]
    register_event(code, *, description, default_templates, variables=())   # in ready()

``notify`` renders the event's template in the recipient's language (fallback ru → en → any)
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
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, connections, transaction
from django.db.models import Max, Q, QuerySet
from django.template import Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.permissions import require_role
from cityhall.core import audit, bulk, jobs, oncommit, prepared
from cityhall.core.errors import Conflict, InvalidInput, NotFound

from . import backoff
from .channels import CHANNELS, PermanentFailure, TemporaryFailure, get_channel
from .events import declared_events, get_event, register_event
from .models import (
    ChannelCode,
    ChannelPreference,
    DeliveryAttempt,
    Message,
    NotificationTemplate,
    PushSubscription,
)
from .rendering import RenderedNotification, render_notification

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "notify",
    "notify_address",
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
    "activate_template",
]

logger = logging.getLogger(__name__)

CLAIM_LEASE = dt.timedelta(minutes=10)
SWEEP_BATCH = 200
SHORT_TEXT_CHANNELS = {ChannelCode.SMS, ChannelCode.PUSH}


# --- writing the outbox ----------------------------------------------------------------------


def _message(
    rendered: RenderedNotification, *, channel: str, address: str, recipient, url: str
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


def _schedule_delivery(ids: list[int]) -> None:
    """Runs after commit. If the queue is unreachable the sweeper still finds the rows."""
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
    oncommit.after_commit(_schedule_delivery, [m.pk for m in created], using=Message.objects.db)
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
            c for c in CHANNELS.values() if c.required or prefs.get(c.code, c.default_enabled)
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
) -> list[Message]:
    """Queue ``event`` for a person without an account (a sign-up code, an applicant registered
    on paper): an e-mail to ``email`` and/or an SMS to ``phone``. With neither there is nobody
    to reach: nothing is queued (the event must still be declared)."""
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
            _message(rendered, channel=ChannelCode.EMAIL, address=email, recipient=None, url=url)
        )
    if phone:
        messages.append(
            _message(rendered, channel=ChannelCode.SMS, address=phone, recipient=None, url=url)
        )
    return _enqueue(messages)


# --- delivering ------------------------------------------------------------------------------


def _due(now: dt.datetime) -> Q:
    return Q(status__in=Message.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def _claim(candidates: QuerySet[Message], limit: int) -> list[Message]:
    """Take up to ``limit`` due messages for this worker: lock the rows (skipping those another
    worker holds, where the database can), stamp them with a lease token, commit. The network
    work then happens outside any transaction; a worker that dies leaves the lease to expire."""
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        query = candidates.filter(_due(now)).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            query = query.select_for_update(skip_locked=True)
        ids = list(query.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).filter(_due(now)).update(
            claimed_until=now + CLAIM_LEASE, claim_token=token
        )
    return list(Message.objects.filter(pk__in=ids, claim_token=token).order_by("pk"))


def _deliver_one(message: Message) -> str:
    started = timezone.now()
    error = ""
    result = None
    try:
        result = get_channel(message.channel).deliver(message)
    except PermanentFailure as exc:
        outcome = DeliveryAttempt.Outcome.PERM_FAILED
        error = str(exc) or type(exc).__name__
    except TemporaryFailure as exc:
        outcome = DeliveryAttempt.Outcome.TEMP_FAILED
        error = str(exc) or type(exc).__name__
    except Exception as exc:  # noqa: BLE001 - a bug in a channel must not stop the worker
        logger.exception("delivery of message %s crashed", message.pk)
        outcome = DeliveryAttempt.Outcome.TEMP_FAILED
        error = f"{type(exc).__name__}: {exc}"
    else:
        outcome = result.status
    finished = timezone.now()
    number = message.attempts + 1
    changes: dict[str, Any] = {
        "attempts": number,
        "claimed_until": None,
        "claim_token": "",
        "last_error": error[:2000],
    }
    if result is not None:
        changes.update(status=result.status, sent_at=finished, provider_id=result.provider_id)
        if result.status == Message.Status.DELIVERED:
            changes["delivered_at"] = finished
    elif outcome == DeliveryAttempt.Outcome.TEMP_FAILED:
        retry_at = backoff.next_attempt_after(
            number, finished, limit=backoff.max_attempts(), delays=backoff.retry_delays()
        )
        if retry_at is None:
            outcome = DeliveryAttempt.Outcome.PERM_FAILED
            changes.update(status=Message.Status.PERM_FAILED)
            changes["last_error"] = _("Gave up after %(count)d attempts: %(error)s") % {
                "count": number,
                "error": error,
            }
        else:
            changes.update(status=Message.Status.TEMP_FAILED, next_attempt_at=retry_at)
    else:
        changes.update(status=Message.Status.PERM_FAILED)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            message_id=message.pk,
            number=number,
            started_at=started,
            finished_at=finished,
            outcome=outcome,
            error=error[:2000],
        )
        kept = Message.objects.filter(pk=message.pk, claim_token=message.claim_token).update(
            **changes
        )
    if not kept:
        logger.warning("message %s: claim lease expired during delivery", message.pk)
    if outcome == DeliveryAttempt.Outcome.PERM_FAILED:
        logger.warning("message %s (%s) failed permanently: %s", message.pk, message.event, error)
    return outcome


def deliver_messages(ids: Iterable[int]) -> int:
    """Deliver the given messages if they are due and nobody else holds them; returns how many
    were tried. Already-sent messages and ones waiting for their retry time are left alone."""
    ids = list(ids)
    if not ids:
        return 0
    claimed = _claim(Message.objects.filter(pk__in=ids), limit=len(ids))
    for message in claimed:
        _deliver_one(message)
    return len(claimed)


def deliver_due(*, limit: int = SWEEP_BATCH) -> int:
    """One sweep of the outbox: every due queued or temporarily failed message, oldest first,
    up to ``limit``. Catches messages whose scheduling was lost (a crash before the queue was
    written) and retries after back-off."""
    claimed = _claim(Message.objects.all(), limit=limit)
    for message in claimed:
        _deliver_one(message)
    return len(claimed)


def retry_message(*, actor: User, message: Message) -> Message:
    """An administrator asks for one more attempt now (after fixing the mail server, the
    address…). A message that fails temporarily again after the limit becomes a permanent
    failure again."""
    require_role(actor, "administrator")
    with transaction.atomic():
        locked = Message.objects.select_for_update().filter(pk=message.pk).first()
        if locked is None:
            raise NotFound()
        if locked.status not in Message.PROBLEMS:
            raise Conflict(_("This message is not waiting for a retry."))
        fields = ["status", "attempts", "next_attempt_at", "last_error"]
        before = audit.snapshot(locked, fields)
        locked.status = Message.Status.QUEUED
        locked.next_attempt_at = timezone.now()
        locked.claimed_until, locked.claim_token = None, ""
        locked.save(update_fields=[*fields, "claimed_until", "claim_token"])
        audit.record(
            actor=actor,
            action="notification.retried",
            target=locked,
            before=before,
            after=audit.snapshot(locked, fields),
        )
        transaction.on_commit(partial(_schedule_delivery, [locked.pk]))
    return locked


# --- the person's side -------------------------------------------------------------------------


def mark_read(*, user: User, message_id: int) -> Message:
    """The person opened a message of theirs (only cabinet messages have an unread state)."""
    message = Message.objects.filter(
        pk=message_id, recipient=user, channel=ChannelCode.CABINET
    ).first()
    if message is None:
        raise NotFound()
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def mark_all_read(*, user: User) -> int:
    return Message.objects.filter(
        recipient=user, channel=ChannelCode.CABINET, read_at__isnull=True
    ).update(read_at=timezone.now())


def set_channel_preferences(*, user: User, enabled: Mapping[str, bool]) -> dict[str, bool]:
    """Switch channels on or off for ``user``. The cabinet cannot be switched off, and a channel
    that cannot reach the person (no phone, no push keys on the server) cannot be switched on."""
    errors: dict[str, list[str]] = {}
    for code, on in enabled.items():
        channel = CHANNELS.get(code)
        if channel is None:
            errors[code] = [_("Unknown channel.")]
        elif channel.required and not on:
            errors[code] = [_("Notifications always appear in your personal cabinet.")]
        elif on and not channel.can_reach(user):
            errors[code] = [_("This channel is not available to you.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        current = {
            p.channel: p for p in ChannelPreference.objects.select_for_update().filter(user=user)
        }
        before = {code: p.enabled for code, p in current.items()}
        for code, on in enabled.items():
            if CHANNELS[code].required:
                continue
            pref = current.get(code)
            if pref is None:
                ChannelPreference.objects.create(user=user, channel=code, enabled=bool(on))
            elif pref.enabled != bool(on):
                pref.enabled = bool(on)
                pref.save(update_fields=["enabled", "updated_at"])
        after = dict(ChannelPreference.objects.filter(user=user).values_list("channel", "enabled"))
        if after != before:
            audit.record(
                actor=user,
                action="notifications.preferences_changed",
                object_type="accounts.user",
                object_id=user.pk,
                before=before,
                after=after,
            )
    return after


def add_push_subscription(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember a browser's push subscription and switch the channel on for the person."""
    if not CHANNELS[ChannelCode.PUSH].is_configured():
        raise Conflict(_("Browser notifications are not set up on this server."), code="no_push")
    errors: dict[str, list[str]] = {}
    try:
        URLValidator(schemes=["https"])(endpoint)
    except ValidationError:
        errors["endpoint"] = [_("The subscription address must be an https address.")]
    if not p256dh or len(p256dh) > 200:
        errors["p256dh"] = [_("The browser key is missing or too long.")]
    if not auth or len(auth) > 100:
        errors["auth"] = [_("The browser secret is missing or too long.")]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        )
        if subscription is None:
            subscription = PushSubscription.objects.create(
                user=user, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:300]
            )
        else:  # the browser re-subscribed, possibly after another person used it
            subscription.user, subscription.p256dh, subscription.auth = user, p256dh, auth
            subscription.user_agent, subscription.is_active = user_agent[:300], True
            subscription.save()
        ChannelPreference.objects.update_or_create(
            user=user, channel=ChannelCode.PUSH, defaults={"enabled": True}
        )
        audit.record(
            actor=user,
            action="notifications.push_subscribed",
            target=subscription,
            after={"user": user.pk, "user_agent": subscription.user_agent},
        )
    return subscription


def remove_push_subscription(*, user: User, endpoint: str) -> bool:
    updated = PushSubscription.objects.filter(user=user, endpoint=endpoint, is_active=True).update(
        is_active=False
    )
    return bool(updated)


# --- templates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncReport:
    created: int = 0
    updated: int = 0
    kept_edited: int = 0


def sync_templates(*, actor: User | None = None) -> SyncReport:
    """Copy every declared default into the template table: a missing (event, language) gets
    version 1; a default that changed in code gets a new version, unless an official edited the
    wording (then theirs is kept). Idempotent."""
    created = updated = kept = 0
    with transaction.atomic():
        active = {
            (t.event, t.language): t
            for t in NotificationTemplate.objects.select_for_update().filter(is_active=True)
        }
        for declaration in declared_events():
            for language, text in declaration.defaults.items():
                current = active.get((declaration.code, language))
                parts = {"subject": text.subject, "body": text.body, "short_text": text.short_text}
                if current is None:
                    _new_version(
                        event=declaration.code,
                        language=language,
                        parts=parts,
                        source=NotificationTemplate.Source.DEFAULT,
                        actor=actor,
                        action="notification_template.seeded",
                    )
                    created += 1
                elif current.source == NotificationTemplate.Source.EDITED:
                    kept += 1
                elif any(getattr(current, k) != v for k, v in parts.items()):
                    _new_version(
                        event=declaration.code,
                        language=language,
                        parts=parts,
                        source=NotificationTemplate.Source.DEFAULT,
                        actor=actor,
                        action="notification_template.seeded",
                    )
                    updated += 1
    return SyncReport(created=created, updated=updated, kept_edited=kept)


def _new_version(
    *, event: str, language: str, parts: dict[str, str], source: str, actor, action: str
) -> NotificationTemplate:
    rows = NotificationTemplate.objects.select_for_update().filter(event=event, language=language)
    previous = rows.filter(is_active=True).first()
    latest = rows.aggregate(v=Max("version"))["v"] or 0
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
    template = NotificationTemplate.objects.create(
        event=event,
        language=language,
        version=latest + 1,
        is_active=True,
        source=source,
        changed_by=actor if getattr(actor, "pk", None) else None,
        **parts,
    )
    audit.record(
        actor=actor,
        action=action,
        target=template,
        before=audit.snapshot(previous, ["version", *parts]) if previous else None,
        after=audit.snapshot(template, ["event", "language", "version", *parts]),
    )
    return template


def check_template_syntax(**parts: str) -> dict[str, list[str]]:
    """Errors per field for template sources that do not compile (for the admin form)."""
    errors: dict[str, list[str]] = {}
    for name, source in parts.items():
        try:
            Template(source or "")
        except TemplateSyntaxError as exc:
            errors[name] = [_("The template does not compile: %(error)s") % {"error": exc}]
    return errors


def save_template(
    *, actor: User, event: str, language: str, subject: str, body: str, short_text: str = ""
) -> NotificationTemplate:
    """An official changes the wording: a new active version; the old ones stay for history."""
    get_event(event)
    errors = check_template_syntax(subject=subject, body=body, short_text=short_text)
    if not subject.strip():
        errors.setdefault("subject", []).append(_("The subject is required."))
    if not body.strip():
        errors.setdefault("body", []).append(_("The text is required."))
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        return _new_version(
            event=event,
            language=language,
            parts={"subject": subject.strip(), "body": body.strip(), "short_text": short_text},
            source=NotificationTemplate.Source.EDITED,
            actor=actor,
            action="notification_template.edited",
        )


def activate_template(*, actor: User, template: NotificationTemplate) -> NotificationTemplate:
    """Go back to an earlier version (it becomes active; the others inactive)."""
    with transaction.atomic():
        rows = NotificationTemplate.objects.select_for_update().filter(
            event=template.event, language=template.language
        )
        previous = rows.filter(is_active=True).exclude(pk=template.pk).first()
        if previous is None:
            return template
        previous.is_active = False
        previous.save(update_fields=["is_active", "updated_at"])
        template.is_active = True
        template.source = NotificationTemplate.Source.EDITED
        template.save(update_fields=["is_active", "source", "updated_at"])
        audit.record(
            actor=actor,
            action="notification_template.activated",
            target=template,
            before={"active_version": previous.version},
            after={"active_version": template.version},
        )
    return template
