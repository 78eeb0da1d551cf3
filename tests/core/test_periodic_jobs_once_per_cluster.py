"""Every node of a cluster runs huey's scheduler; each periodic job still runs once a period.

Three huey instances on one Redis stand for three nodes. Their schedulers check the due
periodic jobs for the same minutes, at the same moment (threads behind a barrier), as the
consumers' schedulers do every minute; then the workers run whatever was queued."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from huey import RedisHuey, crontab
from huey.consumer import Scheduler

from cityhall.core.periodic_jobs import OncePerClusterRedisHuey
from tests.cluster.servers import redis_server

NODES = 3
MINUTES = [dt.datetime(2026, 12, 6, 10, minute, 0, 300) for minute in range(10)]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _runs(huey_class, redis_url: str, name: str) -> Counter:
    """Per job, how many times it ran over :data:`MINUTES` with :data:`NODES` schedulers."""
    runs: Counter = Counter()
    nodes = []
    for _ in range(NODES):
        huey = huey_class(name, url=redis_url, utc=True)

        @huey.periodic_task(crontab(minute="*"), name="every_minute")
        def every_minute():
            runs["every_minute"] += 1

        @huey.periodic_task(crontab(minute="5"), name="hourly")
        def hourly():
            runs["hourly"] += 1

        nodes.append(huey)
    for minute in MINUTES:
        together = threading.Barrier(NODES)

        def check(huey, minute=minute, together=together):
            together.wait()
            Scheduler(huey, None, 1, True).enqueue_periodic_tasks(minute)

        threads = [threading.Thread(target=check, args=(huey,)) for huey in nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    worker = nodes[0]
    while (task := worker.dequeue()) is not None:
        worker.execute(task)
    return runs


def test_each_periodic_job_runs_once_a_period_whatever_the_number_of_nodes(redis_url):
    runs = _runs(OncePerClusterRedisHuey, redis_url, "cluster")
    assert runs == {"every_minute": len(MINUTES), "hourly": 1}


def test_without_the_claim_every_node_would_run_each_job(redis_url):
    """What the claim prevents: huey's own Redis queue runs a job once per scheduler."""
    runs = _runs(RedisHuey, redis_url, "unclaimed")
    assert runs == {"every_minute": NODES * len(MINUTES), "hourly": NODES}
