"""Real parallel writers (threads with their own connections) on SQLite and on PostgreSQL: the
audit chains stay gap-free and verifiable, and nobody sees "database is locked".

Runs on both databases: ``make test`` runs the suite on SQLite (WAL, IMMEDIATE transactions)
and again on PostgreSQL (row locks).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from cityhall.accounts.models import Role
from cityhall.core import audit
from cityhall.core.models import AuditRecord
from cityhall.portal.models import SupportTicket
from cityhall.portal.services import submit_support_ticket
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8


def _run_in_parallel(work: Callable[[int], None], writers: int = WRITERS) -> list[BaseException]:
    """Start ``writers`` threads at the same moment; return what they raised."""
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer is stuck"
    return errors


def _chains_are_gap_free(total: int) -> None:
    """Each chain numbers its records 1..n without holes, each record in its object's chain
    (every append here is a transaction of its own), ``total`` records in all."""
    by_chain: dict[int, list[int]] = {}
    for chain, seq, object_id in AuditRecord.objects.order_by("chain", "seq").values_list(
        "chain", "seq", "object_id"
    ):
        by_chain.setdefault(chain, []).append(seq)
        assert chain == audit.chain_of("tests.writer", object_id)
    for seqs in by_chain.values():
        assert seqs == list(range(1, len(seqs) + 1))
    assert sum(len(seqs) for seqs in by_chain.values()) == total
    assert len(by_chain) > 1


def _chain_is_intact(capsys, expected: int) -> None:
    assert list(audit.verify_chain()) == []
    call_command("verify_audit")
    assert f"audit trail intact: {expected} records verified" in capsys.readouterr().out


def test_parallel_appends_make_one_gap_free_chain(capsys):
    per_writer = 15
    actor = UserFactory()

    def append(index: int) -> None:
        for n in range(per_writer):
            audit.record(
                actor=actor if n % 2 else None,
                action="test.appended",
                object_type="tests.writer",
                object_id=f"{index}-{n}",
                after={"writer": index, "n": n},
            )

    errors = _run_in_parallel(append)

    assert errors == []
    total = WRITERS * per_writer
    _chains_are_gap_free(total)
    written = set(AuditRecord.objects.values_list("object_id", flat=True))
    assert written == {f"{i}-{n}" for i in range(WRITERS) for n in range(per_writer)}
    _chain_is_intact(capsys, total)


def test_parallel_support_tickets_get_distinct_numbers_and_one_chain(capsys):
    MembershipFactory(role=Role.ADMINISTRATOR)  # each ticket notifies the administrators
    base = AuditRecord.objects.count()
    per_writer = 3

    def submit(index: int) -> None:
        for n in range(per_writer):
            submit_support_ticket(
                author=None,
                name=f"Resident {index}",
                email=f"resident{index}@example.org",
                topic=SupportTicket.Topic.QUESTION,
                message=f"Question {n} from resident {index}",
            )

    errors = _run_in_parallel(submit)

    assert errors == []
    total = WRITERS * per_writer
    numbers = sorted(SupportTicket.objects.values_list("number", flat=True))
    assert [int(number.rsplit("-", 1)[1]) for number in numbers] == list(range(1, total + 1))
    submitted = AuditRecord.objects.filter(action="support_ticket.submitted")
    assert submitted.count() == total
    _chain_is_intact(capsys, AuditRecord.objects.count())
    assert AuditRecord.objects.count() >= base + total


def test_rolled_back_appends_leave_no_gap_between_parallel_writers(capsys):
    """The number is taken by the head's UPDATE; a writer whose transaction rolls back gives it
    back, so the committed records still number 1..n without holes."""
    per_writer = 10

    class Undo(Exception):
        pass

    def append(index: int) -> None:
        for n in range(per_writer):
            try:
                with transaction.atomic():
                    rec = audit.record(
                        actor=None,
                        action="test.appended",
                        object_type="tests.writer",
                        object_id=f"{index}-{n}",
                    )
                    assert AuditRecord.objects.get(pk=rec.pk).hash == rec.hash
                    if n % 3 == 0:
                        raise Undo()
            except Undo:
                pass

    errors = _run_in_parallel(append)

    assert errors == []
    kept = [n for n in range(per_writer) if n % 3]
    total = WRITERS * len(kept)
    _chains_are_gap_free(total)
    written = set(AuditRecord.objects.values_list("object_id", flat=True))
    assert written == {f"{i}-{n}" for i in range(WRITERS) for n in kept}
    _chain_is_intact(capsys, total)
