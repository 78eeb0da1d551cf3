"""The audit chain's head is signed once a day and published, so a history rewritten later no
longer matches a checkpoint someone kept (issue 12, ADR 0010)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from cityhall.core import audit, audit_chains
from cityhall.core.models import AuditCheckpoint
from cityhall.core.tasks import audit_checkpoint_task
from tests.core.audit_attacks import head, set_head, tamper

pytestmark = pytest.mark.django_db


def _append(n: int) -> None:
    for i in range(n):
        audit.record(actor=None, action="thing.changed", object_type="tests.thing", object_id=i)


def test_the_command_signs_todays_head_once(capsys):
    _append(3)
    call_command("audit_checkpoint")
    assert "3 records" in capsys.readouterr().out
    _append(1)
    call_command("audit_checkpoint")  # the same day: the first one stays
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.date, checkpoint.seq) == (timezone.localdate(), 3)
    # Every chain's head is signed: the test's records went to one chain, the others are empty.
    heads = checkpoint.heads.split()
    assert len(heads) == audit.CHAINS
    assert f"3:{audit.AuditRecord.objects.get(seq=3).hash}" in heads
    assert heads.count(f"0:{audit.GENESIS}") == audit.CHAINS - 1
    assert checkpoint.head_hash == audit_chains.heads_digest(checkpoint.heads)
    assert len(checkpoint.signature) == 64


def test_the_daily_task_takes_the_checkpoint():
    _append(2)
    assert audit_checkpoint_task.call_local() == 2
    assert AuditCheckpoint.objects.count() == 1


def test_a_tampered_chain_is_not_signed():
    _append(3)
    tamper("UPDATE core_auditrecord SET message = 'x' WHERE seq = 2")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("audit_checkpoint")
    assert not AuditCheckpoint.objects.exists()


def test_a_stored_checkpoint_catches_a_tail_removed_with_a_replayed_head(capsys):
    _append(2)
    replayed = head()  # the attacker kept a copy of the head (keyed for 2 records)
    _append(1)
    call_command("audit_checkpoint")
    tamper("DELETE FROM core_auditrecord WHERE seq = 3")
    set_head(*replayed)
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")
    assert "covers 3 records, found 2" in capsys.readouterr().err


def _download(client, tmp_path, fmt: str):
    response = client.get(f"/audit/checkpoints.{fmt}")
    assert response.status_code == 200
    path = tmp_path / f"checkpoints.{fmt}"
    path.write_bytes(response.content)
    return path


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_older_downloaded_checkpoint_list_detects_a_rewritten_history(
    client, tmp_path, capsys, fmt
):
    _append(2)
    replayed = head()
    _append(1)
    call_command("audit_checkpoint")
    kept = _download(client, tmp_path, fmt)
    call_command("verify_audit", "--checkpoint", str(kept))
    assert "2 checkpoint(s) match" in capsys.readouterr().out
    # Without the key: remove the last record, put back an older head and the checkpoint too.
    tamper("DELETE FROM core_auditrecord WHERE seq = 3")
    tamper("DELETE FROM core_auditcheckpoint")
    set_head(*replayed)
    call_command("verify_audit")  # what is left in the database agrees with itself...
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit", "--checkpoint", str(kept))  # ...the kept list does not
    err = capsys.readouterr().err
    assert "is missing from the table" in err
    assert "covers 3 records, found 2" in err


def test_a_forged_checkpoint_in_a_file_is_reported(tmp_path, capsys):
    _append(1)
    fake = {
        "date": "2026-01-01",
        "seq": 1,
        "head_hash": "f" * 64,
        "key_id": "dev",
        "signature": "0" * 64,
    }
    path = tmp_path / "fake.json"
    path.write_text(json.dumps([fake]))
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit", "--checkpoint", str(path))
    assert "signature does not match (forged)" in capsys.readouterr().err


def test_a_file_that_is_not_a_checkpoint_list_is_refused(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('[{"hello": 1}]')
    with pytest.raises(CommandError, match="not a checkpoint list"):
        call_command("verify_audit", "--checkpoint", str(path))


def test_the_public_page_lists_the_checkpoints(client):
    _append(4)
    call_command("audit_checkpoint")
    checkpoint = AuditCheckpoint.objects.get()
    page = client.get("/audit/checkpoints/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Audit trail checkpoints" in text
    assert checkpoint.head_hash in text and checkpoint.signature in text
    assert '<th scope="row"><time datetime="' in text
    assert "/audit/checkpoints.json" in text and "/audit/checkpoints.csv" in text
    assert client.post("/audit/checkpoints/").status_code == 405


def test_the_public_page_speaks_russian_and_tatar(client):
    for language, title in (
        ("ru", "Контрольные точки журнала аудита"),
        ("tt", "Аудит журналының контроль нокталары"),
    ):
        client.cookies["django_language"] = language
        assert title in client.get("/audit/checkpoints/").content.decode()


def test_the_downloads_carry_every_checkpoint(client):
    _append(1)
    call_command("audit_checkpoint")
    tamper("DELETE FROM core_auditcheckpoint")  # make room for an earlier day's checkpoint too
    from cityhall.core.audit_checkpoints import take_checkpoint

    take_checkpoint(day=dt.date(2026, 1, 1))
    _append(1)
    take_checkpoint(day=dt.date(2026, 1, 2))
    rows = client.get("/audit/checkpoints.json").json()
    assert [(r["date"], r["seq"]) for r in rows] == [("2026-01-01", 1), ("2026-01-02", 2)]
    csv_text = client.get("/audit/checkpoints.csv").content.decode()
    assert csv_text.splitlines()[0] == "date,seq,head_hash,key_id,signature,heads"
    assert csv_text.count("\n") == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_update_and_delete_of_checkpoints():
    from django.db import DatabaseError, transaction

    call_command("audit_checkpoint")
    for statement in (
        "UPDATE core_auditcheckpoint SET seq = 99",
        "DELETE FROM core_auditcheckpoint",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert AuditCheckpoint.objects.count() == 1
