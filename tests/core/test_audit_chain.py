"""The audit trail is append-only and `cityhall verify_audit` detects any tampering."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cityhall.core import audit
from cityhall.core.models import AuditRecord
from tests.core.audit_attacks import tamper
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _append(n: int, actor=None) -> list[AuditRecord]:
    return [
        audit.record(
            actor=actor,
            action="thing.changed",
            object_type="tests.thing",
            object_id=i,
            before={"status": "old", "n": i},
            after={"status": "new", "n": i, "note": "ёлка"},
        )
        for i in range(n)
    ]


def _raw(sql: str, params=()) -> None:
    tamper(sql, params)


def test_records_are_chained_and_numbered_without_gaps():
    user = UserFactory()
    records = _append(5, actor=user)
    assert [r.seq for r in records] == [1, 2, 3, 4, 5]
    assert records[0].prev_hash == "0" * 64
    for prev, nxt in zip(records, records[1:], strict=False):
        assert nxt.prev_hash == prev.hash
    assert records[0].actor_id == user.pk and records[0].actor_repr == str(user)
    assert list(audit.verify_chain()) == []


def test_verify_audit_command_reports_intact_chain(capsys):
    _append(3)
    call_command("verify_audit")
    assert "3 records verified" in capsys.readouterr().out


def test_edited_record_is_detected():
    _append(4)
    _raw("UPDATE core_auditrecord SET message = %s WHERE seq = 2", ["quietly changed"])
    problems = list(audit.verify_chain())
    assert [(p.seq, p.kind) for p in problems] == [(2, "edited")]
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


def test_edited_json_payload_is_detected():
    _append(3)
    rec = AuditRecord.objects.get(seq=3)
    tampered = '{"status": "new", "n": 99, "note": "ёлка"}'
    _raw("UPDATE core_auditrecord SET after = %s WHERE id = %s", [tampered, rec.pk])
    assert [(p.seq, p.kind) for p in audit.verify_chain()][0] == (3, "edited")


def test_deleted_record_in_the_middle_is_detected():
    _append(5)
    _raw("DELETE FROM core_auditrecord WHERE seq = 3")
    kinds = {(p.seq, p.kind) for p in audit.verify_chain()}
    assert (3, "missing") in kinds
    assert (4, "relinked") in kinds


def test_deleted_tail_is_detected_by_the_chain_head():
    _append(5)
    _raw("DELETE FROM core_auditrecord WHERE seq >= 4")
    assert [(p.kind) for p in audit.verify_chain()] == ["truncated"]


def test_rehashed_forgery_is_detected_by_the_head():
    """Even a forger who recomputes the last record's plain hash is caught: the record's keyed
    hash and the head's copy both disagree."""
    _append(2)
    rec = AuditRecord.objects.get(seq=2)
    fields = audit._fields_of(rec)
    fields["message"] = "forged"
    forged_hash = audit._digest(rec.prev_hash, fields)
    _raw(
        "UPDATE core_auditrecord SET message = %s, hash = %s WHERE seq = 2",
        ["forged", forged_hash],
    )
    assert {p.kind for p in audit.verify_chain()} == {"edited"}


def test_records_cannot_be_changed_or_deleted_through_the_app():
    rec = _append(1)[0]
    rec.message = "changed"
    with pytest.raises(PermissionError):
        rec.save()
    with pytest.raises(PermissionError):
        rec.delete()
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().update(message="x")
    with pytest.raises(PermissionError):
        AuditRecord.objects.all().delete()
    assert list(audit.verify_chain()) == []


def test_admin_offers_no_way_to_change_the_trail(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    admin = UserFactory(is_superuser=True, is_staff=True)
    rec = _append(1)[0]
    client.force_login(admin)
    assert client.get(f"/admin/core/auditrecord/{rec.pk}/change/").status_code == 200
    change = client.post(f"/admin/core/auditrecord/{rec.pk}/change/", {"message": "x"})
    delete = client.post(f"/admin/core/auditrecord/{rec.pk}/delete/", {"post": "yes"})
    add = client.get("/admin/core/auditrecord/add/")
    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert AuditRecord.objects.get(pk=rec.pk).message == ""
    assert list(audit.verify_chain()) == []


def test_history_of_an_object_is_in_order():
    user = UserFactory()
    audit.record(actor=None, action="a.first", target=user)
    audit.record(actor=None, action="a.second", target=user)
    assert [r.action for r in audit.history_of(user)] == ["a.first", "a.second"]


@pytest.mark.django_db
def test_record_many_appends_a_batch_that_verifies_like_single_records():
    from cityhall.core.audit import Entry, record, record_many, verify_chain

    record(actor=None, action="test.before", object_type="test.thing", object_id=1)
    batch = record_many(
        [
            Entry(action="test.batch", object_type="test.thing", object_id=n, after={"n": n})
            for n in range(120)
        ]  # fmt: skip
    )
    record(actor=None, action="test.after", object_type="test.thing", object_id=2)

    from cityhall.core.models import AuditRecord

    assert list(verify_chain()) == []
    stored = AuditRecord.objects.filter(action="test.batch")
    assert list(stored.values_list("seq", flat=True)) == list(batch)
    assert len(batch) == 120
    assert stored.get(object_id="7").after == {"n": 7}
