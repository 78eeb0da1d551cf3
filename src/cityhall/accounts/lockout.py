"""Lock out guessing: after a few wrong passwords or codes, refuse for a while.

A counter per key lives in the cache for ``window`` seconds from the first failure; at
``limit`` failures the key is locked until the window ends. Keys are hashed, so the cache never
holds a login name or an address in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

__all__ = ["Lockout", "PASSWORD_BY_LOGIN", "SECOND_FACTOR"]


@dataclass(frozen=True)
class Lockout:
    scope: str
    limit: int
    window: int  # seconds

    @property
    def minutes(self) -> int:
        return max(1, self.window // 60)

    def _key(self, identifier: str) -> str:
        digest = hashlib.sha256(identifier.strip().lower().encode()).hexdigest()[:32]
        return f"accounts:lockout:{self.scope}:{digest}"

    def failures(self, identifier: str) -> int:
        return int(cache.get(self._key(identifier), 0))

    def is_locked(self, identifier: str) -> bool:
        return self.failures(identifier) >= self.limit

    def register_failure(self, identifier: str) -> int:
        key = self._key(identifier)
        cache.add(key, 0, self.window)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, self.window)
            return 1

    def reset(self, identifier: str) -> None:
        cache.delete(self._key(identifier))


#: Wrong passwords for one account (however its login is spelled), or for one unknown login.
#: Not per network address: behind the city's proxy everyone shares one.
PASSWORD_BY_LOGIN = Lockout("password", limit=5, window=15 * 60)
#: Wrong TOTP codes for one person (sign-in and enrolment alike).
SECOND_FACTOR = Lockout("second-factor", limit=5, window=15 * 60)
