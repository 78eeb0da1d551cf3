"""The intake inbox: acknowledge a submission after one durable insert, register it in batches.

High-volume submissions (Open311 requests, proposals, applications) are checked first — every
refusal that depends only on the input and the submitter is answered at once and stores nothing
— then :func:`receive` writes one ``InboxItem`` row and commits. From that moment the
submission cannot be lost: the submitter holds its receipt ``token`` and the row is in the
database. Registration (number, routing, stages, audit records, notifications) is done by the
kind's handler, for many items in one transaction:

* in the inbox worker (``cityhall run_inbox``, started by ``cityhall serve``), which polls for
  pending rows, and in a huey task every minute as a safety net; the API then answers
  ``202 Accepted`` with the token (Open311 GeoReport v2 calls it ``token``);
* at once, in the same request, when the caller asks for it (``inline=True``: the web forms, the
  operator screens) or when ``settings.INBOX_INLINE`` is set.

A handler is ``handler(items: list[Item]) -> list[Outcome]``, registered per kind in an
AppConfig.ready(). It runs inside a transaction. If it raises, that transaction is rolled back
and the items are tried one by one: a ``DomainError`` then refuses that item with its message
(the submitter sees it beside the receipt), any other error is retried with a back-off over
minutes (:func:`retry_delay`; a database restart or a full disk does not use the attempts up)
and after ``MAX_ATTEMPTS`` marks the item failed, logged for the administrators, who list and
requeue such items (``cityhall inbox failed``, ``cityhall inbox retry``, the admin's action;
``/healthz`` counts them). Handlers may also refuse an item without raising by returning
``Outcome(error=...)``.

What registration could fail on for a given input must be checked before :func:`receive`, so
an acknowledged item is only ever delayed, never lost: the kinds' ``prepare`` functions check
lengths and answers, stored file names are the platform's (core.files), and :func:`receive`
cleans the payload's text of the characters no database or format accepts (core.text).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import ngettext

from . import audit, oncommit, prepared, text
from .errors import Conflict, DomainError, TooManyRequests
from .models import InboxClaim, InboxItem, InboxRegistration
from .routers import inbox_alias

__all__ = [
    "Item",
    "Outcome",
    "dedupe_key",
    "drain",
    "handler_for",
    "pending_count",
    "failed_items",
    "health",
    "prune_claims",
    "receive",
    "register",
    "requeue",
    "retry_delay",
    "status",
]

log = logging.getLogger(__name__)

#: Attempts before an item is marked failed; with :func:`retry_delay` about four hours.
MAX_ATTEMPTS = 10
#: How long an idempotency key returns its first receipt (a day: a client's retries end sooner).
IDEMPOTENCY_SECONDS = 24 * 3600
#: Items registered per transaction. Larger batches cost less per item (one commit, one lock
#: of each counter, fewer pages written); on SQLite a batch of 256 proposals holds the write
#: lock about 50 ms, which a web form registering inline waits for at most.
BATCH_SIZE = 256


@dataclass
class Item:
    """One received submission as a handler sees it."""

    id: int
    kind: str
    token: str
    actor_id: int | None
    language: str
    payload: dict[str, Any]
    received_at: dt.datetime
    attempts: int = 0
    # filled in after registration
    state: str = InboxItem.PENDING
    ref: str = ""
    object_type: str = ""
    object_id: int | None = None
    url: str = ""
    error: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    #: The receipt of an earlier submission with the same idempotency key (see :func:`receive`).
    repeated: bool = False

    @property
    def pending(self) -> bool:
        return self.state == InboxItem.PENDING


@dataclass(frozen=True)
class Outcome:
    """What registration made of an item: its number and object, or a refusal (``error``)."""

    ref: str = ""
    object_type: str = ""
    object_id: int | None = None
    url: str = ""
    error: str = ""


Handler = Callable[[list[Item]], Sequence[Outcome]]
_HANDLERS: dict[str, Handler] = {}


def retry_delay(attempts: int) -> dt.timedelta:
    """How long an item waits after its ``attempts``-th failed attempt: 1, 2, 4 … minutes,
    at most an hour."""
    return dt.timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


def register(kind: str, handler: Handler) -> None:
    """Declare how items of ``kind`` are registered (call from AppConfig.ready())."""
    _HANDLERS[kind] = handler


def handler_for(kind: str) -> Handler:
    try:
        return _HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no inbox handler registered for {kind!r}") from None


def dedupe_key(*parts: Any) -> str:
    """A stable key for "the same submission again" (e.g. author, discussion, text)."""
    text = "\x1f".join(str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()


# --- receiving ---------------------------------------------------------------------------------

_TABLE = InboxItem._meta.db_table
_INSERT_COLUMNS = (
    "kind", "token", "actor_id", "language", "payload", "dedupe_key",
    "received_at", "state", "attempts", "ref", "object_type", "url", "error",
)  # fmt: skip
_VALUES = ", ".join(["%s"] * len(_INSERT_COLUMNS))
_INSERT = (
    f"INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 - names from the model
    f"VALUES ({_VALUES}) RETURNING id"
)
# The same, unless the key was received since the given time: the repeat check and the insert
# in one statement. The repeated NOT (…) is the partial index's condition: without it SQLite
# scans the table. SQLite runs one writer at a time, so the check cannot race another insert.
_INSERT_UNLESS_REPEATED = (
    f"INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608
    f"SELECT {_VALUES} WHERE NOT EXISTS (SELECT 1 FROM {_TABLE} WHERE dedupe_key = %s "
    "AND NOT (dedupe_key = '') AND received_at >= %s) RETURNING id"
)
# PostgreSQL checks in a snapshot taken when the statement starts, so two identical submissions
# at the same moment would both pass that check. There the key is claimed in a table with the
# key unique (a second claim waits for the first to commit, then sees it) and the item inserted
# only if the claim was made — still one statement, committed on its own.
_CLAIM_TABLE = InboxClaim._meta.db_table
_INSERT_IF_CLAIMED = (
    f"WITH claim AS (INSERT INTO {_CLAIM_TABLE} (key, until) VALUES (%s, %s) "  # noqa: S608
    f"ON CONFLICT (key) DO UPDATE SET until = EXCLUDED.until WHERE {_CLAIM_TABLE}.until <= %s "
    f"RETURNING 1) INSERT INTO {_TABLE} ({', '.join(_INSERT_COLUMNS)}) "
    f"SELECT {_VALUES} FROM claim RETURNING id"
)


def receive(
    kind: str,
    payload: dict[str, Any],
    *,
    actor: Any = None,
    dedupe: str = "",
    dedupe_seconds: int = 60,
    dedupe_message: str = "",
    inline: bool | None = None,
    idempotency_key: str = "",
    hourly_limit: int = 0,
) -> Item:
    """Store one submission durably and return its receipt.

    ``payload`` must be JSON-serialisable and hold everything the handler needs (it runs later,
    maybe in another process). With ``dedupe`` (see :func:`dedupe_key`), the same key received
    less than ``dedupe_seconds`` ago is refused with ``Conflict(dedupe_message)`` and nothing is
    stored. With ``inline`` (default ``settings.INBOX_INLINE``) the item is registered before
    this returns; a refusal is then raised as the handler's ``DomainError`` (the refused item
    stays on record).

    With ``idempotency_key`` (a client's ``Idempotency-Key``, already scoped to the client by
    the caller) the same key within :data:`IDEMPOTENCY_SECONDS` returns the first
    submission's receipt (``repeated``) instead of storing a second one: a client retrying
    after a lost answer creates no duplicate. The key then stands in for ``dedupe``.
    """
    handler_for(kind)  # fail early on a kind nobody handles
    if hourly_limit and actor is not None:
        _check_hourly_limit(kind, actor, hourly_limit)
    if idempotency_key:
        dedupe = dedupe_key("idempotency", kind, idempotency_key)
        dedupe_seconds = IDEMPOTENCY_SECONDS
    now = timezone.now()
    item = Item(
        id=0,
        kind=kind,
        token=secrets.token_urlsafe(12),
        actor_id=getattr(actor, "pk", actor if isinstance(actor, int) else None),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        payload=payload,
        received_at=now,
    )
    body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    if _UNCLEAN_JSON.search(body):  # rare: clean every string, then encode again
        item.payload = payload = text.clean_data(payload)
        body = json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    connection = connections[inbox_alias()]
    received = connection.ops.adapt_datetimefield_value(now)
    values = [kind, item.token, item.actor_id, item.language, body, dedupe, received,
              InboxItem.PENDING, 0, "", "", "", ""]  # fmt: skip
    # One statement, committed on its own (or with the caller's transaction, if one is open).
    with prepared.cursor(connection) as cursor:
        if not dedupe:
            cursor.execute(_INSERT, values)
        elif connection.vendor == "postgresql":
            until = connection.ops.adapt_datetimefield_value(
                now + dt.timedelta(seconds=dedupe_seconds)
            )
            cursor.execute(_INSERT_IF_CLAIMED, [dedupe, until, received, *values])
        else:
            since = now - dt.timedelta(seconds=dedupe_seconds)
            since_param = connection.ops.adapt_datetimefield_value(since)
            cursor.execute(_INSERT_UNLESS_REPEATED, [*values, dedupe, since_param])
        row = cursor.fetchone()
    if row is None:
        if idempotency_key and (first := _first_with(dedupe)) is not None:
            return first
        raise Conflict(dedupe_message or None, code="duplicate")
    item.id = row[0]
    if settings.INBOX_INLINE if inline is None else inline:
        _process([item], raise_refusal=True)
    return item


# JSON escapes the C0 controls (\u0000 …); DEL, C1 controls, non-characters and lone surrogates
# stay raw with ensure_ascii=False. A match may be a false alarm (an escaped backslash before
# "u00"), which only costs the slow path.
_UNCLEAN_JSON = re.compile(
    r"\\u00(?:0[0-8bcef]|1[0-9a-f]|7f|[89][0-9a-f])|[\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)


# A person's items of a kind since a moment, counted on the ``core_inbox_actor`` index (its
# condition, actor_id IS NOT NULL, follows from the comparison) and no further than the limit.
_RECENT = (
    f"SELECT COUNT(*) FROM (SELECT 1 FROM {_TABLE} WHERE actor_id = %s AND kind = %s "  # noqa: S608
    "AND received_at >= %s LIMIT %s) AS recent"
)


def _check_hourly_limit(kind: str, actor: Any, limit: int) -> None:
    """A person submits at most ``limit`` items of a kind an hour (``settings.
    SUBMISSIONS_PER_HOUR`` for self-service channels): counted from the inbox itself, one
    indexed read (a prepared statement: it runs on every self-service submission), so the limit
    is shared by every worker and costs no write."""
    actor_id = getattr(actor, "pk", actor)
    connection = connections[inbox_alias()]
    since = connection.ops.adapt_datetimefield_value(timezone.now() - dt.timedelta(hours=1))
    with prepared.cursor(connection) as cursor:
        cursor.execute(_RECENT, [actor_id, kind, since, limit])
        (recent,) = cursor.fetchone()
    if recent >= limit:
        raise TooManyRequests(
            ngettext(
                "You have sent %(count)d submission in the last hour; try again later.",
                "You have sent %(count)d submissions in the last hour; try again later.",
                limit,
            )
            % {"count": limit},
            code="too_many",
        )


def _first_with(key: str) -> Item | None:
    """The earlier item stored under an idempotency ``key``, as its receipt."""
    row = InboxItem.objects.filter(dedupe_key=key).order_by("-id").first()
    if row is None:
        return None
    return Item(row.id, row.kind, row.token, row.actor_id, row.language, row.payload,
                row.received_at, row.attempts, row.state, row.ref, row.object_type,
                row.object_id, row.url, row.error, repeated=True)  # fmt: skip


# --- registering ---------------------------------------------------------------------------------

_SELECT = (
    "SELECT id, kind, token, actor_id, language, payload, received_at, attempts "  # noqa: S608
    f"FROM {_TABLE} WHERE state = 'pending' AND (retry_at IS NULL OR retry_at <= %s)"
)
_FINISH = (
    f"UPDATE {_TABLE} SET state = %s, processed_at = %s, attempts = %s, ref = %s, "  # noqa: S608
    "object_type = %s, object_id = %s, url = %s, error = %s WHERE id = %s AND state = 'pending'"
)


def _claim(cursor, vendor: str, limit: int, ids: Iterable[int] | None) -> list[Item]:
    sql = _SELECT
    params: list[Any] = [cursor.db.ops.adapt_datetimefield_value(timezone.now())]
    if ids is not None:
        ids = list(ids)
        sql += f" AND id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    sql += " ORDER BY id LIMIT %s"
    params.append(limit)
    if vendor == "postgresql":
        sql += " FOR UPDATE SKIP LOCKED"  # another drainer has those; take the next ones
    cursor.execute(sql, params)
    items = []
    for row in cursor.fetchall():
        payload = row[5]
        if isinstance(payload, str):
            payload = json.loads(payload)
        received = row[6]
        if isinstance(received, str):  # SQLite without converters
            received = dt.datetime.fromisoformat(received)
        if timezone.is_naive(received):
            received = timezone.make_aware(received, dt.UTC)
        items.append(Item(row[0], row[1], row[2], row[3], row[4] or "", payload, received, row[7]))
    return items


def _finish(cursor, items: list[Item]) -> None:
    now = cursor.db.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for item in items:
        if item.state != InboxItem.PENDING:
            rows.append([item.state, now, item.attempts, item.ref, item.object_type,
                         item.object_id, item.url, item.error, item.id])  # fmt: skip
    if rows:
        cursor.executemany(_FINISH, rows)


def _apply(item: Item, outcome: Outcome) -> None:
    item.attempts += 1
    if outcome.error:
        item.state, item.error = InboxItem.REFUSED, str(outcome.error)
    else:
        item.state = InboxItem.DONE
        item.ref, item.url = outcome.ref, outcome.url
        item.object_type, item.object_id = outcome.object_type, outcome.object_id


def _run_handler(items: list[Item]) -> None:
    """Register ``items`` (one kind) inside the caller's transaction; raises on failure."""
    with oncommit.merged():  # e.g. one delivery job for all the batch's notifications
        outcomes = handler_for(items[0].kind)(items)
    if len(outcomes) != len(items):
        raise RuntimeError(f"{items[0].kind}: handler returned {len(outcomes)} outcomes")
    for item, outcome in zip(items, outcomes, strict=True):
        _apply(item, outcome)


def _process(items: list[Item], *, raise_refusal: bool = False) -> None:
    """Register claimed ``items``: all at once, else one by one (see the module's text)."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    for kind_items in by_kind.values():
        try:
            fresh = _register(kind_items, [])
        except Exception:  # noqa: BLE001 - each item is retried alone below
            for item in kind_items:
                _process_one(item, raise_refusal=raise_refusal)
        else:
            _copy_back(kind_items, fresh)


def _register(items: list[Item], claimed: list[Item]) -> list[Item]:
    """Claim those of ``items`` still pending (appended to ``claimed``) and register them in one
    transaction of the main database; the claimed items with their outcome. Raises, having
    registered nothing, when the handler does.

    With the inbox in the main database the claim (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)
    and the items' outcome are part of that transaction. With the inbox in its own database
    (core.routers) the outcome is written there after the commit; the transaction writes an
    ``InboxRegistration`` row per registered item, and an item already listed there (registered
    before a crash, or by another worker a moment ago) is settled from it, not registered twice.
    """
    store = inbox_alias()
    split = store != DEFAULT_DB_ALIAS
    ids = [item.id for item in items]
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with prepared.cursor(connections[store]) as cursor:
            claimed += _claim(cursor, connections[store].vendor, len(ids), ids)
        todo = _settle(claimed) if split and claimed else claimed
        if todo:
            with translation.override(todo[0].language or None):
                _run_handler(todo)
        with prepared.cursor(connections[DEFAULT_DB_ALIAS]) as cursor:
            if split:
                _record_registrations(cursor, todo)
            else:
                _finish(cursor, claimed)
    if split and claimed:
        with transaction.atomic(using=store), prepared.cursor(connections[store]) as cursor:
            _finish(cursor, claimed)
    return claimed


_REGISTRATION = InboxRegistration._meta.db_table
_RECORD = (
    f"INSERT INTO {_REGISTRATION} (item_id, ref, object_type, object_id, url, registered_at) "  # noqa: S608
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


def _settle(items: list[Item]) -> list[Item]:
    """Give items already registered their recorded outcome; the others, to register."""
    done = {
        row.item_id: row
        for row in InboxRegistration.objects.filter(item_id__in=[item.id for item in items])
    }
    for item in items:
        if row := done.get(item.id):
            _apply(item, Outcome(row.ref, row.object_type, row.object_id, row.url))
    return [item for item in items if item.id not in done]


def _record_registrations(cursor, items: list[Item]) -> None:
    now = cursor.db.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        [item.id, item.ref, item.object_type, item.object_id, item.url, now]
        for item in items
        if item.state == InboxItem.DONE
    ]
    if rows:
        cursor.executemany(_RECORD, rows)


def _copy_back(originals: list[Item], fresh: list[Item]) -> None:
    done = {item.id: item for item in fresh}
    for item in originals:
        if item.id in done:
            source = done[item.id]
            for name in ("state", "attempts", "ref", "object_type", "object_id", "url", "error"):
                setattr(item, name, getattr(source, name))


def _process_one(item: Item, *, raise_refusal: bool) -> None:
    claimed: list[Item] = []
    refusal: DomainError | None = None
    try:
        _copy_back([item], _register([item], claimed))
        return
    except DomainError as error:
        if not claimed:
            raise
        refusal = error
        claimed_item = claimed[0]
        with translation.override(claimed_item.language or None):
            message = str(error.message)
        claimed_item.attempts += 1
        claimed_item.state, claimed_item.error = InboxItem.REFUSED, message
        claimed_item.fields = error.fields
    except Exception:
        if not claimed:
            raise
        claimed_item = claimed[0]
        claimed_item.attempts += 1
        log.exception("inbox item %s (%s) could not be registered", item.id, item.kind)
        if claimed_item.attempts < MAX_ATTEMPTS:
            _record_attempt(claimed_item)
            if raise_refusal:
                raise
            return
        claimed_item.state, claimed_item.error = InboxItem.FAILED, "registration failed"
    store = inbox_alias()
    with transaction.atomic(using=store), prepared.cursor(connections[store]) as cursor:
        _finish(cursor, [claimed_item])
    _copy_back([item], [claimed_item])
    item.fields = claimed_item.fields
    if raise_refusal and refusal is not None:
        raise refusal


def _record_attempt(item: Item) -> None:
    InboxItem.objects.filter(pk=item.id, state=InboxItem.PENDING).update(
        attempts=item.attempts, retry_at=timezone.now() + retry_delay(item.attempts)
    )


def drain(*, limit: int = BATCH_SIZE, max_batches: int | None = None) -> int:
    """Register pending items, ``limit`` per transaction, until none is left (or
    ``max_batches``); the number of items handled. Items of unknown kinds are left alone."""
    connection = connections[inbox_alias()]
    handled = batches = 0
    known = sorted(_HANDLERS)
    if not known:
        return 0
    sql = (
        f"SELECT id, kind FROM {_TABLE} WHERE state = 'pending' "  # noqa: S608
        "AND (retry_at IS NULL OR retry_at <= %s) "
        f"AND kind IN ({', '.join(['%s'] * len(known))}) ORDER BY id LIMIT %s"
    )
    while max_batches is None or batches < max_batches:
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with prepared.cursor(connection) as cursor:
            cursor.execute(sql, [now, *known, limit])
            rows = cursor.fetchall()
        if not rows:
            break
        items = [Item(pk, kind, "", None, "", {}, timezone.now()) for pk, kind in rows]
        _process(items)
        handled += len(items)
        batches += 1
    return handled


def prune_claims() -> int:
    """Forget the expired repeat keys (PostgreSQL's claims; see :func:`receive`)."""
    return InboxClaim.objects.filter(until__lte=timezone.now()).delete()[0]


def pending_count() -> int:
    return InboxItem.objects.filter(state=InboxItem.PENDING).count()


def failed_items() -> list[InboxItem]:
    """Items that exhausted their attempts, oldest first (for the operator to requeue)."""
    return list(InboxItem.objects.filter(state=InboxItem.FAILED).order_by("id"))


def requeue(*, actor: Any = None, ids: Iterable[int] | None = None) -> int:
    """Give failed items (``ids``, or all) a fresh set of attempts; the number requeued.
    Audited: who requeued which items."""
    items = InboxItem.objects.filter(state=InboxItem.FAILED)
    if ids is not None:
        items = items.filter(pk__in=list(ids))
    chosen = list(items.values_list("pk", flat=True))
    if not chosen:
        return 0
    count = InboxItem.objects.filter(pk__in=chosen).update(
        state=InboxItem.PENDING, attempts=0, retry_at=None, error="", processed_at=None
    )
    for pk in chosen:
        audit.record(
            actor=actor,
            action="core.inbox_requeued",
            object_type=InboxItem._meta.label_lower,
            object_id=pk,
            before={"state": InboxItem.FAILED},
            after={"state": InboxItem.PENDING},
        )
    return count


def health(*, now: dt.datetime | None = None) -> dict[str, int]:
    """What ``/healthz`` tells about the inbox: items waiting longer than
    ``settings.INBOX_PENDING_ALERT_SECONDS`` and failed items (counts only, no error text)."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=settings.INBOX_PENDING_ALERT_SECONDS)
    pending = InboxItem.objects.filter(state=InboxItem.PENDING)
    return {
        "pending": pending.count(),
        "pending_too_long": pending.filter(received_at__lt=limit).count(),
        "failed": InboxItem.objects.filter(state=InboxItem.FAILED).count(),
    }


def status(token: str) -> InboxItem | None:
    """The receipt's current state, or None for an unknown token."""
    return InboxItem.objects.filter(token=token).first()
