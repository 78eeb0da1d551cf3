"""The intake inbox: a submission is stored by one insert, registered later in batches, and its
receipt tells what became of it (core.inbox, `cityhall run_inbox`, /api/v1/receipts/)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from cityhall.core import audit, inbox
from cityhall.core.errors import Conflict, InvalidInput
from cityhall.core.models import AuditRecord, InboxItem
from cityhall.core.numbering import next_value

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


def test_an_item_that_keeps_failing_is_marked_failed_after_the_last_attempt(caplog):
    item = inbox.receive("test.note", {"text": "explode"})
    ok = inbox.receive("test.note", {"text": "fine"})

    inbox.drain()

    row = _state(item)
    assert row.state == "failed"
    assert row.attempts == inbox.MAX_ATTEMPTS
    assert _state(ok).state == "done"
    assert "could not be registered" in caplog.text


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
