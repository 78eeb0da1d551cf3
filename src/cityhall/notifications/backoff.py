"""Retry schedule for temporary delivery failures: pure, no ORM, time is an input.

With the defaults a message is tried at 0, +1 min, +5 min, +25 min, +2 h and +10 h, then given up
(six attempts over about half a day, long enough to outlast a mail server's maintenance window).
``settings.NOTIFICATIONS_RETRY_DELAYS`` (seconds) and ``NOTIFICATIONS_MAX_ATTEMPTS`` change it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings

__all__ = ["DEFAULT_DELAYS", "DEFAULT_MAX_ATTEMPTS", "max_attempts", "next_attempt_after"]

DEFAULT_DELAYS: tuple[int, ...] = (60, 300, 1500, 7200, 36000)
DEFAULT_MAX_ATTEMPTS = 6


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delays() -> Sequence[int]:
    return tuple(getattr(settings, "NOTIFICATIONS_RETRY_DELAYS", DEFAULT_DELAYS)) or (60,)


def next_attempt_after(
    failed_attempts: int, failed_at: dt.datetime, *, limit: int, delays: Sequence[int]
) -> dt.datetime | None:
    """When to try again after ``failed_attempts`` tries have failed temporarily, or None when
    the limit is reached (the message is then a permanent failure). The last delay repeats if
    the limit is longer than the list."""
    if failed_attempts < 1:
        raise ValueError("at least one attempt must have failed")
    if failed_attempts >= limit:
        return None
    delay = delays[min(failed_attempts, len(delays)) - 1]
    return failed_at + dt.timedelta(seconds=delay)
