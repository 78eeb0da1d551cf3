"""The audit trail is a fixed number of chains (ADR 0032): writers on different objects append to
different chains, and ``cityhall verify_audit`` is still one proof over all of them — an edited,
deleted, reordered or moved record in any chain, and a chain's tail removed after a checkpoint,
are reported.

Transactional: every record below is written in its own transaction, as separate requests and
workers write them (a test's single transaction would put every record in one chain).
"""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cityhall.core import audit, audit_keys
from cityhall.core.audit_checkpoints import take_checkpoint
from cityhall.core.models import AuditCheckpoint, AuditRecord
from tests.core.audit_attacks import head, set_head, tamper

pytestmark = pytest.mark.django_db(transaction=True)

TYPE = "tests.thing"


def _in_distinct_chains(count: int) -> dict[int, str]:
    """``{chain: object id}`` for ``count`` objects whose records start in different chains."""
    found: dict[int, str] = {}
    n = 0
    while len(found) < count:
        found.setdefault(audit.chain_of(TYPE, n), str(n))
        n += 1
    return found


def _fill(chains: int = 3, per_object: int = 4) -> dict[int, str]:
    """``per_object`` records of each of ``chains`` objects, each in its own transaction."""
    objects = _in_distinct_chains(chains)
    for object_id in objects.values():
        for n in range(per_object):
            audit.record(
                actor=None,
                action="thing.changed",
                object_type=TYPE,
                object_id=object_id,
                after={"n": n},
            )
    return objects


def _problems() -> set[tuple[int, str]]:
    return {(p.chain, p.kind) for p in audit.verify_chain()}


def _verify_fails(capsys, *args) -> str:
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit", *args)
    return capsys.readouterr().err


def test_writes_on_different_objects_go_to_different_chains_each_without_gaps(capsys):
    objects = _fill(chains=3, per_object=4)
    for chain, object_id in objects.items():
        in_chain = AuditRecord.objects.filter(chain=chain).order_by("seq")
        assert list(in_chain.values_list("seq", flat=True)) == [1, 2, 3, 4]
        assert set(in_chain.values_list("object_id", flat=True)) == {object_id}
        assert head(chain)[0] == 4
    call_command("verify_audit")
    assert "12 records verified in 3 chain(s)" in capsys.readouterr().out


def test_one_transaction_appends_to_one_chain_and_the_next_starts_afresh():
    objects = _in_distinct_chains(3)
    (first_chain, first), (second_chain, second), (_third_chain, third) = objects.items()
    with transaction.atomic():
        audit.record(actor=None, action="thing.changed", object_type=TYPE, object_id=first)
        audit.record(actor=None, action="thing.changed", object_type=TYPE, object_id=second)
        audit.record_many([audit.Entry(action="thing.batch", object_type=TYPE, object_id=third)])
    assert set(AuditRecord.objects.values_list("chain", flat=True)) == {first_chain}
    with transaction.atomic():
        audit.record(actor=None, action="thing.changed", object_type=TYPE, object_id=second)
    assert AuditRecord.objects.order_by("id").last().chain == second_chain
    assert list(audit.verify_chain()) == []


def _swap_records_2_and_3(chain: int) -> None:
    tamper("UPDATE core_auditrecord SET seq = 1000 WHERE chain = %s AND seq = 2", [chain])
    tamper("UPDATE core_auditrecord SET seq = 2 WHERE chain = %s AND seq = 3", [chain])
    tamper("UPDATE core_auditrecord SET seq = 3 WHERE chain = %s AND seq = 1000", [chain])


def _move_last_record_to(source: int, target: int) -> None:
    """Re-file the source chain's last record as the target chain's next one."""
    target_seq, target_hash, _mac = head(target)
    tamper(
        "UPDATE core_auditrecord SET chain = %s, seq = %s, prev_hash = %s "
        "WHERE chain = %s AND seq = 4",
        [target, target_seq + 1, target_hash, source],
    )


@pytest.mark.parametrize(
    ("attack", "expected"),
    [
        pytest.param(
            lambda a, b: tamper(
                "UPDATE core_auditrecord SET message = 'quietly' WHERE chain = %s AND seq = 2", [b]
            ),
            {("b", "edited")},
            id="edited",
        ),
        pytest.param(
            lambda a, b: tamper("DELETE FROM core_auditrecord WHERE chain = %s AND seq = 2", [b]),
            {("b", "missing"), ("b", "relinked")},
            id="deleted",
        ),
        pytest.param(
            lambda a, b: _swap_records_2_and_3(b),
            {("b", "edited"), ("b", "relinked")},
            id="reordered",
        ),
        pytest.param(
            _move_last_record_to,
            {("a", "truncated"), ("b", "edited"), ("b", "truncated")},
            id="moved",
        ),
    ],
)
def test_tampering_with_any_chain_is_reported_with_the_chain(capsys, attack, expected):
    (a, _), (b, _), _ = _fill(chains=3).items()
    attack(a, b)
    names = {"a": a, "b": b}
    assert {(names[chain], kind) for chain, kind in expected} <= _problems()
    assert f"chain {b}, record" in _verify_fails(capsys)


def test_a_chain_cut_back_to_a_replayed_head_is_caught_by_the_checkpoint(capsys):
    """The head MAC cannot tell a replayed older head; the checkpoint holds every chain's head."""
    (_a, _), (b, _), _ = _fill(chains=3, per_object=2).items()
    replayed = head(b)
    audit.record(
        actor=None, action="thing.changed", object_type=TYPE, object_id=_in_distinct_chains(3)[b]
    )
    checkpoint = take_checkpoint()
    assert f"3:{AuditRecord.objects.get(chain=b, seq=3).hash}" in checkpoint.heads.split()
    tamper("DELETE FROM core_auditrecord WHERE chain = %s AND seq = 3", [b])
    set_head(*replayed, chain=b)
    err = _verify_fails(capsys)
    assert f"covers 3 records, found 2 (chain {b})" in err


def test_a_downloaded_checkpoint_with_altered_heads_is_reported_as_forged(client, tmp_path, capsys):
    _fill(chains=2, per_object=2)
    take_checkpoint()
    rows = client.get("/audit/checkpoints.json").json()
    seq, _, rest = rows[0]["heads"].partition(":")
    rows[0]["heads"] = f"{int(seq) + 1}:{rest}"
    kept = tmp_path / "checkpoints.json"
    kept.write_text(json.dumps(rows))
    err = _verify_fails(capsys, "--checkpoint", str(kept))
    assert "its chain heads do not match its head hash (forged)" in err


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_writers_on_different_chains_do_not_wait_for_each_other():
    """One writer holds its chain head (its transaction still open) while another appends to a
    different chain and commits: with one head the second would wait for the first."""
    objects = _in_distinct_chains(2)
    (_first_chain, first), (_second_chain, second) = objects.items()
    holding, appended = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                audit.record(actor=None, action="thing.held", object_type=TYPE, object_id=first)
                holding.set()
                assert appended.wait(timeout=10), "the other writer waited for this chain"
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
            holding.set()
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    audit.record(actor=None, action="thing.free", object_type=TYPE, object_id=second)
    appended.set()
    holder.join(timeout=20)
    assert errors == []
    assert list(audit.verify_chain()) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_transactions_auditing_objects_in_crossing_order_do_not_deadlock():
    """T1 audits X then Y while T2 audits Y then X: each stays on the chain it started in, so
    neither waits for the head the other holds."""
    (_cx, x), (_cy, y) = _in_distinct_chains(2).items()
    both_started = threading.Barrier(2)
    errors: list[BaseException] = []

    def audit_in_order(first: str, then: str) -> None:
        try:
            with transaction.atomic():
                audit.record(actor=None, action="thing.one", object_type=TYPE, object_id=first)
                both_started.wait(timeout=10)
                audit.record(actor=None, action="thing.two", object_type=TYPE, object_id=then)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=audit_in_order, args=order) for order in ((x, y), (y, x))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert AuditRecord.objects.count() == 4
    assert list(audit.verify_chain()) == []


def _write_as_before_the_split(apps, records: int) -> None:
    """Records, head and a checkpoint as the single chain wrote them (ADR 0010's format: the
    keyed hash over the fields without a chain, the head's MAC over ``seq|hash``)."""
    key_id, secret = audit_keys.current()
    record, chain_head = (
        apps.get_model("core", "AuditRecord"),
        apps.get_model("core", "AuditChainHead"),
    )
    prev = audit.GENESIS
    for seq in range(1, records + 1):
        created = timezone.now()
        fields = {
            "seq": seq,
            "created_at": created.astimezone(dt.UTC).isoformat(timespec="microseconds"),
            "actor_id": None,
            "actor_repr": "system",
            "action": "old.thing",
            "object_type": TYPE,
            "object_id": str(seq),
            "before": None,
            "after": {"n": seq},
            "message": "",
            "key_id": key_id,
        }
        payload = prev + json.dumps(
            fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        digest = audit_keys.mac(secret, payload)
        values = {**fields, "created_at": created, "prev_hash": prev, "hash": digest}
        record.objects.create(**values)
        prev = digest
    chain_head.objects.all().delete()
    chain_head.objects.create(
        pk=1,
        seq=records,
        last_hash=prev,
        mac=audit_keys.mac(secret, f"cityhall-audit-head|{records}|{prev}"),
    )
    day = dt.date(2026, 1, 1)
    apps.get_model("core", "AuditCheckpoint").objects.create(
        date=day,
        seq=records,
        head_hash=prev,
        key_id=key_id,
        signature=audit.checkpoint_signature(key_id, day, records, prev),
    )


def test_verify_audit_passes_on_a_database_audited_before_the_split(capsys):
    executor = MigrationExecutor(connection)
    split = next(key for key in executor.loader.graph.nodes if key[1].endswith("_audit_chains"))
    (before_split,) = executor.loader.get_migration(*split).dependencies
    try:
        executor.migrate([before_split])
        _write_as_before_the_split(executor.loader.project_state(before_split).apps, 3)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    call_command("verify_audit")
    assert "3 records verified in 1 chain(s), 1 checkpoint(s) match" in capsys.readouterr().out
    assert set(AuditRecord.objects.values_list("chain", flat=True)) == {0}

    _fill(chains=3, per_object=1)  # new writes go to their chains, chain 0 goes on
    take_checkpoint()
    call_command("verify_audit")
    assert "6 records verified" in capsys.readouterr().out
    assert AuditCheckpoint.objects.count() == 2
    tamper("UPDATE core_auditrecord SET message = 'x' WHERE chain = 0 AND seq = 2")
    assert (0, "edited") in _problems()
