"""Read replicas: anonymous reading goes to a streaming replica, everything else to the primary.

With ``DATABASE_REPLICA_URLS`` set (PostgreSQL streaming replicas; ``settings.REPLICAS`` holds
their aliases) :class:`ReplicaReadsMiddleware` chooses, per request, where its reads go:

* a replica for a ``GET``/``HEAD`` that carries no session cookie and no ``Authorization``
  header — residents and visitors reading public pages, open data, reports, Open311 lists —
  outside the paths in ``settings.REPLICA_EXCLUDED_PATHS`` (receipts, sign-in, the admin: a
  reader who must see their own newest state);
* the primary for everything else: any signed-in person, any token, any write;
* the primary too, for ``settings.REPLICA_READ_YOUR_WRITES_SECONDS`` after the same browser
  wrote (every unsafe request sets a short cookie): whoever just sent a form reads it back
  from the primary, not from a replica a few milliseconds behind.

A replica is used only while it answers and lags the primary by at most
``settings.REPLICA_MAX_LAG_SECONDS`` (checked at most once a second per process). If the view
fails on it (an error page), the view is run again on the primary (reads are safe to repeat)
and the replica is checked again before its next use: stopping a replica under load costs no reader
an error. Inside a transaction reads always go to the primary (:class:`ReplicaRouter`), so a
view that reads in order to write never reads stale rows.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import time
from collections.abc import Callable

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

__all__ = [
    "PRIMARY_COOKIE",
    "READ_FROM_HEADER",
    "ReplicaReadsMiddleware",
    "ReplicaRouter",
    "healthy_replicas",
    "reading_from",
    "replica_lag",
]

log = logging.getLogger(__name__)

#: The cookie that sends a browser's reads to the primary after it wrote (a time, in seconds).
PRIMARY_COOKIE = "cityhall_primary_until"
#: The answer's header naming the replica it was read from (absent: the primary).
READ_FROM_HEADER = "X-Cityhall-Read-From"
#: How often a process asks a replica how far behind it is.
CHECK_SECONDS = 1.0
#: How long a replica found down or too far behind is left alone.
DOWN_SECONDS = 3.0
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cityhall_reading_from", default=None
)
# alias -> (checked at, usable); a per-process cache that may be lost at any time
_health: dict[str, tuple[float, bool]] = {}

_LAG_SQL = (
    "SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver LIMIT 1), "
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
)


def reading_from() -> str | None:
    """The replica this request reads from, or None (the primary)."""
    return _reading_from.get()


def replica_lag(alias: str) -> float | None:
    """Seconds the replica ``alias`` is behind the primary (0: it has replayed everything it
    received); None when it cannot be used: it does not answer, is no longer a standby (it
    was promoted), or no longer streams from the primary."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(_LAG_SQL)
            in_recovery, receiver, lag = cursor.fetchone()
    except DatabaseError:
        connection.close()
        return None
    if not in_recovery or receiver != "streaming":
        return None
    return float(lag or 0)


def _usable(alias: str, now: float) -> bool:
    checked = _health.get(alias)
    if checked is not None:
        at, usable = checked
        if now - at < (CHECK_SECONDS if usable else DOWN_SECONDS):
            return usable
    lag = replica_lag(alias)
    usable = lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS
    if not usable:
        log.warning("replica %s not used: %s", alias, "down" if lag is None else f"{lag:.1f} s")
    _health[alias] = (now, usable)
    return usable


def healthy_replicas() -> list[str]:
    """The replicas that answer and are close enough behind the primary."""
    now = time.monotonic()
    return [alias for alias in settings.REPLICAS if _usable(alias, now)]


def _mark_down(alias: str) -> None:
    """Check the replica again before its next use (it may have been a passing fault)."""
    _health.pop(alias, None)
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def _anonymous_read(request: HttpRequest) -> bool:
    if request.method not in _SAFE_METHODS:
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    until = request.COOKIES.get(PRIMARY_COOKIE, "")
    if until.isdigit() and int(until) > time.time():
        return False
    return not request.path.startswith(tuple(settings.REPLICA_EXCLUDED_PATHS))


class ReplicaRouter:
    """Reads go to the request's replica (if any), never inside a transaction; writes and
    migrations stay on the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return alias

    def db_for_write(self, model, **hints):
        return None

    def allow_relation(self, obj1, obj2, **hints):
        same = {DEFAULT_DB_ALIAS, *settings.REPLICAS}
        if obj1._state.db in same and obj2._state.db in same:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db in settings.REPLICAS else None


class ReplicaReadsMiddleware:
    """Chooses the request's database (see the module docstring). Last in the middleware list:
    sessions and the signed-in person are read from the primary, and only the view's own work
    is repeated on the primary when it failed on a replica."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        alias = None
        if settings.REPLICAS and _anonymous_read(request):
            replicas = healthy_replicas()
            alias = random.choice(replicas) if replicas else None  # noqa: S311 - load spreading
        response = self._respond(request, alias)
        if alias is not None and response.status_code >= 500:
            # The replica failed under the view (stopped, restarted, cut off): the reader gets
            # the primary's answer; the replica is checked again before it is used again.
            log.warning("replica %s failed on %s; read again from the primary", alias,
                        request.path)  # fmt: skip
            _mark_down(alias)
            response = self._respond(request, None)
        elif alias is not None:
            response[READ_FROM_HEADER] = alias  # for operators and the cluster tests
        if request.method not in _SAFE_METHODS and settings.REPLICAS:
            seconds = settings.REPLICA_READ_YOUR_WRITES_SECONDS
            response.set_cookie(
                PRIMARY_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def _respond(self, request: HttpRequest, alias: str | None) -> HttpResponse:
        token = _reading_from.set(alias)
        try:
            response = self.get_response(request)
            if callable(getattr(response, "render", None)) and not response.is_rendered:
                response.render()  # a template response reads while rendering
            return response
        finally:
            _reading_from.reset(token)
