"""Rate limits with a back-off, shared by every worker: sign-in, second-factor codes,
registration, SMS codes, support tickets.

A :class:`Limit` lets ``free`` events through; from then on each further event must wait,
``first_wait`` seconds doubling up to ``max_wait``. The count is forgotten after ``window``
seconds without events. Counters are rows of ``accounts.RateCounter`` (the database every
worker shares; with SQLite too, where a cache would live in each worker's memory), changed
under a row lock, so two workers never both let the last free event through.

A back-off, not a hard lock: an attacker guessing a staff member's password from many
addresses delays that person by at most the account limit's ``max_wait``; a lock for a fixed
quarter of an hour is what the attacker would want. Keys are hashed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cityhall.core.errors import TooManyRequests

from .models import RateCounter

__all__ = [
    "Limit",
    "PASSWORD_BY_ACCOUNT",
    "PASSWORD_BY_ACCOUNT_AND_ADDRESS",
    "PASSWORD_BY_ADDRESS",
    "PASSWORD_RESET_BY_ADDRESS",
    "REGISTRATION_BY_ADDRESS",
    "SECOND_FACTOR",
    "SMS_BY_ADDRESS",
    "SUPPORT_TICKETS_BY_ADDRESS",
    "SUPPORT_TICKETS_BY_PERSON",
    "client_address",
    "minutes",
    "take_or_refuse",
]


def client_address(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``CITYHALL_PROXY_HOPS`` trusted
    proxies, the address the outermost of them saw (from ``X-Forwarded-For``, read from the
    right, so a client cannot choose it by sending the header itself)."""
    hops = int(getattr(settings, "CITYHALL_PROXY_HOPS", 0) or 0)
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def minutes(seconds: int) -> int:
    """A wait in whole minutes, rounded up (the pages say "try again in N minutes")."""
    return max(1, math.ceil(seconds / 60))


def take_or_refuse(limit: Limit, identifier: str, *, message: str) -> None:
    """Count one event under ``limit``, or refuse it with ``TooManyRequests`` (429) whose
    message is ``message`` with ``%(minutes)s`` the wait. Call it outside any transaction
    that may roll back, or the count would roll back too."""
    wait = limit.take(identifier)
    if wait:
        raise TooManyRequests(message % {"minutes": minutes(wait)}, code="rate_limited")


@dataclass(frozen=True)
class Limit:
    scope: str
    free: int  # events let through before any wait
    window: int  # seconds without events after which the count is forgotten
    first_wait: int  # seconds to wait after the free events
    max_wait: int  # the wait doubles up to this

    def wait_after(self, count: int) -> int:
        """Seconds to wait after the ``count``-th event."""
        if count < self.free:
            return 0
        return min(self.max_wait, self.first_wait * 2 ** min(count - self.free, 30))

    def _key(self, identifier: str) -> str:
        digest = hashlib.sha256(str(identifier).strip().lower().encode()).hexdigest()[:40]
        return f"{self.scope}:{digest}"[:80]

    def _live(self, row: RateCounter | None, now: dt.datetime) -> RateCounter | None:
        """The row if its count still counts (not forgotten after a quiet window)."""
        if row is None:
            return None
        blocked = row.blocked_until is not None and row.blocked_until > now
        if not blocked and (now - row.last_at).total_seconds() > self.window:
            return None
        return row

    def retry_after(self, identifier: str) -> int:
        """Seconds before the next event is allowed; 0 if it is allowed now."""
        now = timezone.now()
        row = self._live(RateCounter.objects.filter(key=self._key(identifier)).first(), now)
        if row is None or row.blocked_until is None or row.blocked_until <= now:
            return 0
        return math.ceil((row.blocked_until - now).total_seconds())

    def count(self, identifier: str) -> int:
        row = self._live(
            RateCounter.objects.filter(key=self._key(identifier)).first(), timezone.now()
        )
        return row.count if row else 0

    def hit(self, identifier: str) -> int:
        """Count one event (a failure, a message sent); returns the count."""
        return self._record(identifier, refuse_while_waiting=False)[0]

    def take(self, identifier: str) -> int:
        """Count one event if it is allowed now and return 0; else return the seconds to wait
        (and count nothing). Checking and counting are one step under a row lock."""
        return self._record(identifier, refuse_while_waiting=True)[1]

    def attempt(self, identifier: str) -> tuple[int, int]:
        """:meth:`take`, also returning the count this event got (``(count, 0)``), or
        ``(count, seconds to wait)`` when refused: the caller judges the event by its own
        count, not by a later read that another worker's event may have moved."""
        return self._record(identifier, refuse_while_waiting=True)

    def clear(self, identifier: str) -> None:
        RateCounter.objects.filter(key=self._key(identifier)).delete()

    def _record(self, identifier: str, *, refuse_while_waiting: bool) -> tuple[int, int]:
        key = self._key(identifier)
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    now = timezone.now()
                    row = RateCounter.objects.select_for_update().filter(key=key).first()
                    if row is None:
                        row = RateCounter.objects.create(key=key, count=0, last_at=now)
                    live = self._live(row, now)
                    if (
                        refuse_while_waiting
                        and live is not None
                        and row.blocked_until is not None
                        and row.blocked_until > now
                    ):
                        return row.count, math.ceil((row.blocked_until - now).total_seconds())
                    row.count = (live.count if live else 0) + 1
                    row.last_at = now
                    wait = self.wait_after(row.count)
                    row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None
                    row.save(update_fields=["count", "last_at", "blocked_until"])
                    return row.count, 0
            except IntegrityError:  # another worker created the row first: lock it instead
                continue
        raise RuntimeError(f"rate counter {key} could not be updated")


#: Wrong passwords for one account from one client address: the guesser's own back-off.
PASSWORD_BY_ACCOUNT_AND_ADDRESS = Limit(
    "password-account-address", free=5, window=3600, first_wait=60, max_wait=3600
)
#: Wrong passwords for one account from anywhere: slows a guesser spread over many addresses,
#: but never keeps the person out for more than a minute per attempt.
PASSWORD_BY_ACCOUNT = Limit("password-account", free=10, window=3600, first_wait=5, max_wait=60)
#: Wrong passwords from one client address, whatever account (trying one password on many).
PASSWORD_BY_ADDRESS = Limit("password-address", free=30, window=3600, first_wait=60, max_wait=3600)
#: Wrong TOTP codes for one person (sign-in and enrolment alike): only after the password.
SECOND_FACTOR = Limit("second-factor", free=5, window=3600, first_wait=60, max_wait=3600)
#: Registrations from one client address.
REGISTRATION_BY_ADDRESS = Limit(
    "registration-address", free=10, window=3600, first_wait=60, max_wait=3600
)
#: Confirmation and reset codes sent by SMS (or e-mail) at one client's request: no SMS pumping.
SMS_BY_ADDRESS = Limit("sms-address", free=5, window=3600, first_wait=300, max_wait=6 * 3600)
#: Password-reset requests from one client address.
PASSWORD_RESET_BY_ADDRESS = Limit(
    "password-reset-address", free=5, window=3600, first_wait=300, max_wait=6 * 3600
)
#: Support tickets from one client address, and from one signed-in person.
SUPPORT_TICKETS_BY_ADDRESS = Limit(
    "support-address", free=10, window=3600, first_wait=120, max_wait=3600
)
SUPPORT_TICKETS_BY_PERSON = Limit(
    "support-person", free=10, window=3600, first_wait=120, max_wait=3600
)
