"""Someone who can write the database but does not hold the audit key cannot rewrite the end of
the audit trail unnoticed (issue 12): ``cityhall verify_audit`` exits 1."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cityhall.core import audit, audit_keys
from cityhall.core.models import AuditRecord
from tests.core.audit_attacks import head, set_head, tamper

pytestmark = pytest.mark.django_db


def _append(n: int) -> list[AuditRecord]:
    return [
        audit.record(
            actor=None,
            action="thing.changed",
            object_type="tests.thing",
            object_id=i,
            after={"status": "new", "n": i},
        )
        for i in range(n)
    ]


def _verify_fails(*args) -> str:
    with pytest.raises(CommandError, match="broken") as failure:
        call_command("verify_audit", *args)
    return str(failure.value)


def test_an_intact_keyed_chain_verifies(capsys):
    records = _append(3)
    assert {r.key_id for r in records} == {"dev"}
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "3 records verified" in out
    assert "legacy" not in out


def test_deleting_the_last_record_and_moving_the_head_back_is_detected(capsys):
    records = _append(3)
    tamper("DELETE FROM core_auditrecord WHERE seq = 3")
    set_head(2, records[1].hash)
    _verify_fails()
    assert "head" in capsys.readouterr().err


def test_editing_the_last_record_and_recomputing_plain_sha256_is_detected(capsys):
    _append(3)
    rec = AuditRecord.objects.get(seq=3)
    rec.message = "nothing happened here"
    forged = audit._digest(rec.prev_hash, audit._fields_of(rec))
    tamper(
        "UPDATE core_auditrecord SET message = %s, hash = %s WHERE seq = 3",
        [rec.message, forged],
    )
    set_head(3, forged)
    _verify_fails()
    assert "record 3: edited" in capsys.readouterr().err


def test_downgrading_the_last_record_to_an_unkeyed_legacy_one_is_detected(capsys):
    _append(3)
    rec = AuditRecord.objects.get(seq=3)
    rec.message, rec.key_id = "nothing happened here", ""
    forged = audit._digest(rec.prev_hash, audit._fields_of(rec))
    tamper(
        "UPDATE core_auditrecord SET message = %s, hash = %s, key_id = '' WHERE seq = 3",
        [rec.message, forged],
    )
    set_head(3, forged, mac="")
    _verify_fails()
    assert "record 3: unkeyed" in capsys.readouterr().err


def test_verifying_with_a_wrong_key_fails(settings, capsys):
    _append(2)
    settings.AUDIT_KEY = "not the key the records were written with"
    _verify_fails()
    assert "record 1: edited" in capsys.readouterr().err


def test_a_record_under_a_key_that_is_not_configured_fails(settings, capsys):
    _append(1)
    settings.AUDIT_KEY_ID = "2027"
    settings.AUDIT_KEY = "the new key"
    _verify_fails()
    assert "key 'dev' is not configured" in capsys.readouterr().err


def test_after_rotating_the_key_old_records_verify_with_the_old_key(settings, capsys):
    settings.AUDIT_KEY_ID, settings.AUDIT_KEY = "2026", "the key of 2026"
    _append(2)
    settings.AUDIT_KEY_ID, settings.AUDIT_KEY = "2027", "the key of 2027"
    settings.AUDIT_OLD_KEYS = {"2026": "the key of 2026"}
    _append(2)
    assert list(AuditRecord.objects.values_list("key_id", flat=True)) == [
        "2026",
        "2026",
        "2027",
        "2027",
    ]
    call_command("verify_audit")
    assert "4 records verified" in capsys.readouterr().out


def _legacy(n: int) -> None:
    """Records as written before keys: plain SHA-256, no key id (migrated databases)."""
    prev = audit.GENESIS
    for seq in range(1, n + 1):
        rec = AuditRecord(
            seq=seq,
            created_at=audit.timezone.now(),
            actor_repr="system",
            action="old.thing",
            object_type="tests.thing",
            object_id=str(seq),
            prev_hash=prev,
        )
        rec.hash = prev = audit._digest(prev, audit._fields_of(rec))
        rec.save()
    set_head(n, prev, mac="")


def test_legacy_records_before_the_first_keyed_one_verify_and_are_reported(capsys):
    _legacy(3)
    _append(2)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "5 records verified" in out
    assert "3 legacy record(s) (1..3)" in out


def test_an_unkeyed_record_after_keyed_ones_is_refused(capsys):
    _append(2)
    last = AuditRecord.objects.get(seq=2)
    rec = AuditRecord(
        chain=last.chain,
        seq=3,
        created_at=audit.timezone.now(),
        actor_repr="system",
        action="forged.thing",
        object_type="tests.thing",
        object_id="3",
        prev_hash=last.hash,
    )
    rec.hash = audit._digest(rec.prev_hash, audit._fields_of(rec))
    rec.save()
    set_head(3, rec.hash)
    _verify_fails()
    assert "record 3: unkeyed" in capsys.readouterr().err


def test_the_development_key_is_reported_as_default(settings, tmp_path):
    assert audit_keys.key_is_default()
    settings.AUDIT_KEY = "a real secret"
    assert not audit_keys.key_is_default()
    settings.AUDIT_KEY = ""
    key_file = tmp_path / "audit.key"
    key_file.write_text("a secret from a file\n")
    settings.AUDIT_KEY_FILE = str(key_file)
    assert not audit_keys.key_is_default()
    assert audit_keys.current()[1] == b"a secret from a file"


def test_a_batch_is_keyed_like_single_records():
    _append(1)
    audit.record_many(
        [audit.Entry(action="batch", object_type="tests.thing", object_id=n) for n in range(5)]
    )
    assert set(AuditRecord.objects.values_list("key_id", flat=True)) == {"dev"}
    assert list(audit.verify_chain()) == []
    seq, _hash, mac = head()
    assert seq == 6 and mac


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_audit_records():
    from django.db import DatabaseError, transaction

    _append(2)
    for statement in (
        "UPDATE core_auditrecord SET message = 'x' WHERE seq = 1",
        "DELETE FROM core_auditrecord WHERE seq = 2",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    # The head row still moves with every append, by design.
    _append(1)
    assert head()[0] == 3
    assert list(audit.verify_chain()) == []


@pytest.mark.parametrize("secret", [b"short", b"k" * 64, b"a much longer key " * 10])
def test_the_keyed_hash_is_standard_hmac_sha256(secret):
    """Anyone can check a record with the key and any HMAC library (RFC 2104)."""
    import hashlib
    import hmac

    message = "0" * 64 + '{"seq":1,"note":"ёлка"}'
    expected = hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
    assert audit_keys.mac(secret, message) == expected
