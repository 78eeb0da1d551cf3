"""The intake inbox: a submission is stored by one insert, registered later in batches, and its
receipt tells what became of it (core.inbox, `cityhall run_inbox`, /api/v1/receipts/)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.utils import timezone

from cityhall.core import audit, inbox
from cityhall.core.errors import Conflict, InvalidInput
from cityhall.core.models import AuditRecord, InboxClaim, InboxItem, InboxRegistration
from cityhall.core.numbering import next_value
from cityhall.core.routers import inbox_alias
from tests.factories import UserFactory

from .processes import child_env

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


def _register_note(items):
    """A handler as a module writes one: numbers each item, audits it, refuses bad ones."""
    CALLS.append(len(items))
    outcomes = []
    for item in items:
        text = item.payload["text"]
        if text == "explode":
            raise RuntimeError("the database went away")
        if text == "refuse":
            raise InvalidInput("This note cannot be registered.", fields={"text": ["Too rude."]})
        number = next_value("test-note")
        audit.record(actor=None, action="test.note_registered", object_type="test.note",
                     object_id=number, after={"text": text})  # fmt: skip
        outcomes.append(inbox.Outcome(ref=f"N-{number}", object_type="test.note", object_id=number))
    return outcomes


@pytest.fixture(autouse=True)
def note_kind(settings):
    settings.INBOX_INLINE = False
    inbox.register("test.note", _register_note)
    CALLS.clear()
    yield
    inbox._HANDLERS.pop("test.note", None)


def _state(item):
    return InboxItem.objects.get(pk=item.id)


def test_received_item_waits_then_the_worker_registers_a_batch():
    items = [inbox.receive("test.note", {"text": f"note {n}"}) for n in range(5)]
    assert all(_state(i).state == "pending" for i in items)
    assert not AuditRecord.objects.filter(action="test.note_registered").exists()

    call_command("run_inbox", "--once")

    assert CALLS == [5]  # one transaction for the five
    rows = [_state(i) for i in items]
    assert [r.state for r in rows] == ["done"] * 5
    assert [r.ref for r in rows] == [f"N-{n}" for n in range(1, 6)]
    assert all(r.processed_at and r.attempts == 1 for r in rows)
    assert AuditRecord.objects.filter(action="test.note_registered").count() == 5


def test_a_refused_item_does_not_hold_back_the_rest_of_its_batch():
    good = inbox.receive("test.note", {"text": "fine"})
    bad = inbox.receive("test.note", {"text": "refuse"})
    later = inbox.receive("test.note", {"text": "also fine"})

    assert inbox.drain() == 3

    assert _state(good).state == "done"
    refused = _state(bad)
    assert refused.state == "refused"
    assert refused.error == "This note cannot be registered."
    assert _state(later).state == "done"
    # the rolled-back batch gave its numbers back: no gap
    assert sorted([_state(good).ref, _state(later).ref]) == ["N-1", "N-2"]


def test_an_item_that_keeps_failing_backs_off_over_hours_then_is_marked_failed(caplog):
    """Issue 12.1: retries wait 1, 2, 4 … minutes (at most an hour), so a database restart
    does not use them up; after the last attempt the item is failed, for the operator."""
    start = timezone.now()
    item = inbox.receive("test.note", {"text": "explode"})
    ok = inbox.receive("test.note", {"text": "fine"})
    with time_machine.travel(start, tick=False) as clock:
        inbox.drain()
        row = _state(item)
        assert (row.state, row.attempts) == ("pending", 1)
        assert row.retry_at == start + dt.timedelta(minutes=1)
        assert _state(ok).state == "done"
        inbox.drain()  # too early: not tried again
        assert _state(item).attempts == 1
        waited = dt.timedelta()
        while _state(item).state == "pending":
            clock.shift(_state(item).retry_at - timezone.now())
            waited = timezone.now() - start
            inbox.drain()
    row = _state(item)
    assert row.state == "failed" and row.error == "registration failed"
    assert row.attempts == inbox.MAX_ATTEMPTS == 10
    assert dt.timedelta(hours=3) < waited < dt.timedelta(hours=5)
    assert "could not be registered" in caplog.text


def test_the_operator_lists_and_requeues_failed_items(capsys, monkeypatch):
    item = inbox.receive("test.note", {"text": "explode"})
    other = inbox.receive("test.note", {"text": "explode"})
    InboxItem.objects.filter(pk__in=[item.id, other.id]).update(
        state="failed", attempts=inbox.MAX_ATTEMPTS, error="registration failed"
    )
    call_command("inbox", "failed")
    listed = capsys.readouterr().out
    assert f"{item.id}\ttest.note" in listed and "2 failed item(s)" in listed

    # the cause is mended (the handler now registers); requeue one, then all
    monkeypatch.setitem(inbox._HANDLERS, "test.note", _register_fine)
    call_command("inbox", "retry", str(item.id))
    assert "1 item(s) requeued" in capsys.readouterr().out
    row = _state(item)
    assert (row.state, row.attempts, row.error, row.retry_at) == ("pending", 0, "", None)
    assert _state(other).state == "failed"
    inbox.drain()
    assert _state(item).state == "done"
    call_command("inbox", "retry", "--all")
    inbox.drain()
    assert _state(other).state == "done"
    requeued = AuditRecord.objects.filter(action="core.inbox_requeued")
    assert sorted(requeued.values_list("object_id", flat=True)) == sorted(
        [str(item.id), str(other.id)]
    )
    with pytest.raises(CommandError):
        call_command("inbox", "retry")


def _register_fine(items):
    return [inbox.Outcome(ref=f"F-{item.id}", object_type="test.note") for item in items]


def test_the_admin_requeues_failed_items(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    admin = UserFactory(staff=True, is_staff=True, is_superuser=True, username="admin")
    client.force_login(admin)
    item = inbox.receive("test.note", {"text": "explode"})
    InboxItem.objects.filter(pk=item.id).update(state="failed", attempts=inbox.MAX_ATTEMPTS)
    response = client.post(
        "/admin/core/inboxitem/",
        {"action": "requeue", "_selected_action": [item.id]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 item(s) requeued." in response.content.decode()
    assert _state(item).state == "pending"
    assert AuditRecord.objects.get(action="core.inbox_requeued").actor_id == admin.pk


def test_healthz_counts_waiting_and_failed_items_without_their_errors(client, settings):
    settings.INBOX_PENDING_ALERT_SECONDS = 300
    assert client.get("/healthz").json() == {
        "status": "ok",
        "inbox": {"pending": 0, "pending_too_long": 0, "failed": 0},
    }
    old = inbox.receive("test.note", {"text": "old"})
    InboxItem.objects.filter(pk=old.id).update(received_at=timezone.now() - dt.timedelta(hours=1))
    inbox.receive("test.note", {"text": "new"})
    broken = inbox.receive("test.note", {"text": "explode"})
    InboxItem.objects.filter(pk=broken.id).update(
        state="failed", error='relation "secret_table" does not exist'
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "attention",
        "inbox": {"pending": 2, "pending_too_long": 1, "failed": 1},
    }
    assert b"secret_table" not in response.content


def test_inline_registration_answers_at_once_and_raises_a_refusal():
    item = inbox.receive("test.note", {"text": "now"}, inline=True)
    assert item.state == "done" and item.ref == "N-1"

    with pytest.raises(InvalidInput) as caught:
        inbox.receive("test.note", {"text": "refuse"}, inline=True)
    assert caught.value.fields == {"text": ["Too rude."]}
    assert InboxItem.objects.get(state="refused").error == "This note cannot be registered."


def test_the_same_submission_within_the_window_is_refused_and_not_stored():
    key = inbox.dedupe_key("author-1", "same text")
    inbox.receive("test.note", {"text": "same text"}, dedupe=key, dedupe_message="Already sent.")
    with pytest.raises(Conflict, match="Already sent."):
        inbox.receive(
            "test.note", {"text": "same text"}, dedupe=key, dedupe_message="Already sent."
        )
    assert InboxItem.objects.count() == 1
    inbox.receive("test.note", {"text": "same text"}, dedupe=inbox.dedupe_key("author-2", "x"))
    assert InboxItem.objects.count() == 2


def test_the_same_key_is_taken_again_once_its_window_has_passed():
    key = inbox.dedupe_key("author-1", "again")
    inbox.receive("test.note", {"text": "again"}, dedupe=key)
    with (
        time_machine.travel(timezone.now() + dt.timedelta(seconds=59)),
        pytest.raises(Conflict),
    ):
        inbox.receive("test.note", {"text": "again"}, dedupe=key)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        inbox.receive("test.note", {"text": "again"}, dedupe=key)
        with pytest.raises(Conflict):
            inbox.receive("test.note", {"text": "again"}, dedupe=key)
    assert InboxItem.objects.filter(dedupe_key=key).count() == 2


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_repeat_sent_while_the_first_is_still_being_committed_is_refused():
    """The first submission's transaction is still open when the same one arrives on another
    connection (on PostgreSQL the second statement's snapshot cannot see the first row: only
    the claimed key stops it). The second waits for the first to commit, then is refused."""
    key = inbox.dedupe_key("author-1", "at once")
    written = threading.Event()
    outcomes: dict[str, str] = {}

    def send(name: str, hold: bool) -> None:
        try:
            if hold:
                with transaction.atomic(using=inbox_alias()):
                    inbox.receive("test.note", {"text": "at once"}, dedupe=key)
                    written.set()
                    time.sleep(0.5)
            else:
                assert written.wait(timeout=10)
                inbox.receive("test.note", {"text": "at once"}, dedupe=key)
            outcomes[name] = "stored"
        except Conflict:
            outcomes[name] = "refused"
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcomes[name] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=("first", True)),
               threading.Thread(target=send, args=("second", False))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"first": "stored", "second": "refused"}
    assert InboxItem.objects.filter(dedupe_key=key).count() == 1


def test_the_minute_job_forgets_expired_repeat_keys():
    from cityhall.core.tasks import drain_inbox_task

    now = timezone.now()
    InboxClaim.objects.create(key="old", until=now - dt.timedelta(seconds=1))
    InboxClaim.objects.create(key="live", until=now + dt.timedelta(seconds=30))
    drain_inbox_task.call_local()
    assert list(InboxClaim.objects.values_list("key", flat=True)) == ["live"]


def test_a_kind_nobody_handles_is_refused_before_anything_is_stored():
    with pytest.raises(LookupError):
        inbox.receive("test.unknown", {"text": "x"})
    assert not InboxItem.objects.exists()


def test_receipt_api_tells_the_state_and_number(client):
    item = inbox.receive("test.note", {"text": "api"})
    answer = client.get(f"/api/v1/receipts/{item.token}").json()
    assert answer["state"] == "pending" and answer["number"] == ""

    inbox.drain()

    answer = client.get(f"/api/v1/receipts/{item.token}").json()
    assert answer["state"] == "done"
    assert answer["number"] == "N-1"
    assert client.get("/api/v1/receipts/no-such-token").status_code == 404


# --- the inbox in a database of its own (SQLite; core.routers) -----------------------------------

split_only = pytest.mark.skipif(
    "inbox" not in settings.DATABASES, reason="the inbox shares PostgreSQL's database"
)


@split_only
def test_with_sqlite_the_inbox_is_a_file_of_its_own():
    item = inbox.receive("test.note", {"text": "where"})
    table = InboxItem._meta.db_table
    with connections["inbox"].cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table}")  # noqa: S608
        assert cursor.fetchall() == [(item.token,)]
    assert table not in connections["default"].introspection.table_names()

    inbox.drain()

    assert _state(item).state == "done"
    assert InboxRegistration.objects.get(item_id=item.id).ref == "N-1"


@split_only
def test_a_crash_after_registration_but_before_the_receipt_is_updated_registers_nothing_twice(
    monkeypatch,
):
    items = [inbox.receive("test.note", {"text": f"note {n}"}) for n in range(3)]
    finish = inbox._finish
    crashes = []

    def crash_once(cursor, claimed):
        if not crashes:
            crashes.append(len(claimed))
            raise OSError("killed between the two commits")
        finish(cursor, claimed)

    monkeypatch.setattr(inbox, "_finish", crash_once)

    inbox.drain()

    assert crashes == [3] and CALLS == [3]  # registered once; settled afterwards from the record
    assert [_state(i).state for i in items] == ["done"] * 3
    assert sorted(_state(i).ref for i in items) == ["N-1", "N-2", "N-3"]
    assert AuditRecord.objects.filter(action="test.note_registered").count() == 3
    assert InboxRegistration.objects.count() == 3


def test_cityhall_migrate_migrates_every_configured_database(tmp_path):
    env = child_env(tmp_path)
    subprocess.run(
        [sys.executable, "-m", "cityhall", "migrate", "--noinput", "-v", "0"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    main = sqlite3.connect(tmp_path / "cityhall.sqlite3")
    store = sqlite3.connect(tmp_path / "cityhall-inbox.sqlite3")
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'core_%'"
    assert {"core_inboxregistration", "core_counter"} <= {r[0] for r in main.execute(tables)}
    assert not {"core_inboxitem", "core_inboxclaim"} & {r[0] for r in main.execute(tables)}
    assert {r[0] for r in store.execute(tables)} == {"core_inboxitem", "core_inboxclaim"}


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="Linux scheduling policy")
def test_the_inbox_worker_runs_with_idle_cpu_priority_by_default():
    from cityhall.core.management.commands import run_inbox

    parser = run_inbox.Command().create_parser("cityhall", "run_inbox")
    assert parser.parse_args([]).priority == "idle"
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the policy is the process's own: try it in a child
        run_inbox._lower_priority("idle")
        os.write(writer, str(os.sched_getscheduler(0)).encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert int(os.read(reader, 16)) == os.SCHED_IDLE
    assert os.sched_getscheduler(0) != os.SCHED_IDLE  # this process untouched


def test_the_wsgi_application_freezes_its_long_lived_objects_for_the_collector(tmp_path):
    env = child_env(tmp_path)
    code = "import gc, cityhall.wsgi as w; print(callable(w.application), gc.get_freeze_count())"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    assert out[0] == "True" and int(out[1]) > 50_000
