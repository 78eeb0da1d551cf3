"""Periodic jobs run once per cluster, however many nodes run the background worker.

Every huey consumer started with its scheduler (``cityhall run_huey``; each node of a cluster
runs one) enqueues the periodic tasks due this minute. With one node that is one run per
period; with N nodes sharing a Redis queue it would be N runs — N overdue sweeps, N audit
checkpoints. :class:`OncePerClusterRedisHuey` (``settings.HUEY`` when ``REDIS_URL`` is set)
lets a node enqueue a due task only after it wins that task's claim for that minute in Redis
(``SET key NX EX``, atomic on the Redis server): the first node to ask enqueues it, the others
skip it. A node that dies after winning loses that one run; the next period is claimed afresh.

The single-node default (SQLite queue) needs no claim: one consumer, one scheduler.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from huey import RedisHuey

__all__ = ["CLAIM_SECONDS", "OncePerClusterRedisHuey", "claim_key"]

log = logging.getLogger(__name__)

#: How long a claim is kept: longer than any period's minute, short enough to expire by itself.
CLAIM_SECONDS = 3600


def claim_key(queue: str, task_name: str, when: dt.datetime) -> str:
    """The Redis key a node must create to enqueue ``task_name`` for the minute of ``when``."""
    return f"{queue}:periodic:{task_name}:{when:%Y%m%d%H%M}"


class OncePerClusterRedisHuey(RedisHuey):
    """A Redis huey whose scheduler enqueues each due periodic task on one node only."""

    def read_periodic(self, timestamp):
        when = timestamp or self._get_timestamp()
        due = super().read_periodic(when)
        if not due:
            return due
        node = f"{socket.gethostname()}:{os.getpid()}"
        won = []
        for task in due:
            key = claim_key(self.name, task.name, when)
            if self.storage.conn.set(key, node, nx=True, ex=CLAIM_SECONDS):
                log.info("periodic job %s for %s claimed by %s", task.name, f"{when:%H:%M}", node)
                won.append(task)
            else:
                log.debug("periodic job %s for %s already claimed", task.name, when)
        return won
