"""Delivering the outbox: claiming due messages (so two workers never send one twice), trying
the channel, recording each attempt and moving the status, with back-off until
``NOTIFICATIONS_MAX_ATTEMPTS``; an administrator may retry one now (audited).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityhall.accounts.permissions import require_role
from cityhall.core import audit
from cityhall.core.errors import Conflict, NotFound

from .. import backoff
from ..channels import PermanentFailure, TemporaryFailure, get_channel
from ..models import DeliveryAttempt, Message
from .outbox import schedule_delivery

if TYPE_CHECKING:
    from cityhall.accounts.models import User

__all__ = [
    "CLAIM_LEASE",
    "SWEEP_BATCH",
    "deliver_due",
    "deliver_messages",
    "retry_message",
]


logger = logging.getLogger(__package__)  # cityhall.notifications.services, as always


CLAIM_LEASE = dt.timedelta(minutes=10)
SWEEP_BATCH = 200


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
        transaction.on_commit(partial(schedule_delivery, [locked.pk]))
    return locked
