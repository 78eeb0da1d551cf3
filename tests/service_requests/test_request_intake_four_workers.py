"""Four inbox workers (one per node of a cluster) drain the same inbox at once: every
acknowledged request is registered exactly once and the numbers stay gap-free.

On PostgreSQL the workers claim their batches with ``FOR UPDATE SKIP LOCKED`` (core.inbox), so
they share the work instead of queueing behind one another; on SQLite they take turns on the
write lock. Each worker here is a thread with its own database connection: the same row locks
a worker on another node takes."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, connections

from cityhall.core.models import InboxItem
from cityhall.service_requests import services
from cityhall.service_requests.models import ServiceRequest

SUBMISSIONS = 96
WORKERS = 4


@pytest.mark.django_db(transaction=True)
def test_four_inbox_workers_register_each_request_once_with_gap_free_numbers(
    client, world, settings
):
    settings.INBOX_INLINE = False
    settings.SUBMISSIONS_PER_HOUR = 0
    _client, key = services.create_open311_client(name="City app", actor=None)
    for n in range(SUBMISSIONS):
        response = client.post(
            "/open311/v2/requests.json",
            {"api_key": key, "service_code": "leak", "lat": "55.78001", "long": "49.05001",
             "description": f"Roof leaks {n}", "email": f"resident{n}@example.org"},
        )  # fmt: skip
        assert response.status_code == 202, response.content
    assert InboxItem.objects.filter(state=InboxItem.PENDING).count() == SUBMISSIONS

    start = threading.Barrier(WORKERS)
    handled: list[int] = [0] * WORKERS
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        from cityhall.core import inbox

        try:
            start.wait()
            handled[index] = inbox.drain(limit=4)  # small batches: the workers interleave
        except BaseException as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    call_command("run_inbox", "--once")  # nothing may be left for a later pass

    items = InboxItem.objects.all()
    assert Counter(items.values_list("state", flat=True)) == {InboxItem.DONE: SUBMISSIONS}
    requests = list(ServiceRequest.objects.values_list("number", flat=True))
    assert len(requests) == SUBMISSIONS  # none registered twice
    refs = sorted(items.values_list("ref", flat=True))
    assert refs == sorted(requests) and len(set(refs)) == SUBMISSIONS
    serials = sorted(int(number.rsplit("-", 1)[-1]) for number in requests)
    assert serials == list(range(serials[0], serials[0] + SUBMISSIONS))  # gap-free
    if connection.vendor == "postgresql":  # SKIP LOCKED: the workers shared the batches
        assert sum(1 for count in handled if count) > 1, handled
