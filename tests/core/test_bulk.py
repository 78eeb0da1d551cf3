"""core.bulk: many rows in one INSERT, each new id given back in the rows' order, every kind of
value (JSON of any shape, times, nulls, texts with quotes and braces) stored as given — on
SQLite as multi-row VALUES, on PostgreSQL as one array per column."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityhall.core import bulk
from cityhall.core.models import InboxItem

pytestmark = pytest.mark.django_db


def _row(n: int, **extra):
    return {
        "kind": "test.bulk",
        "token": f"token-{n}",
        "payload": {"n": n},
        "received_at": timezone.now(),
        **extra,
    }


def test_ids_come_back_in_the_order_of_the_rows_across_statement_chunks():
    rows = [_row(n) for n in range(200)]  # more rows than SQLite takes in one statement
    ids = bulk.insert_rows(InboxItem, rows)
    assert len(ids) == len(set(ids)) == 200
    stored = dict(InboxItem.objects.values_list("id", "token"))
    assert [stored[i] for i in ids] == [f"token-{n}" for n in range(200)]


def test_every_kind_of_value_is_stored_as_given():
    moment = dt.datetime(2026, 11, 25, 9, 30, 15, 123456, tzinfo=dt.UTC)
    awkward = "кавычки \" ' скобки {a,b} \\ NULL , конец"
    rows = [
        _row(1, payload=[1, "два", None, {"x": [3]}], actor_id=7, received_at=moment,
             processed_at=moment, error=awkward, ref=""),
        _row(2, payload={"text": awkward, "nested": {"list": []}}, actor_id=None,
             processed_at=None, error="", ref="NULL"),
        _row(3, payload="just a string", state=InboxItem.DONE, attempts=2, object_id=2**40),
    ]  # fmt: skip
    first, second, third = (
        InboxItem.objects.get(pk=pk) for pk in bulk.insert_rows(InboxItem, rows)
    )
    assert first.payload == [1, "два", None, {"x": [3]}]
    assert (first.actor_id, first.received_at, first.processed_at) == (7, moment, moment)
    assert (first.error, first.ref, first.state) == (awkward, "", InboxItem.PENDING)
    assert second.payload == {"text": awkward, "nested": {"list": []}}
    assert (second.actor_id, second.processed_at, second.ref) == (None, None, "NULL")
    assert third.payload == "just a string"
    assert (third.state, third.attempts, third.object_id) == (InboxItem.DONE, 2, 2**40)


def test_objects_get_their_ids():
    objects = [InboxItem(**_row(n)) for n in range(3)]
    bulk.insert_objects(objects)
    assert [InboxItem.objects.get(pk=o.pk).token for o in objects] == [
        "token-0",
        "token-1",
        "token-2",
    ]


def test_new_builds_what_the_model_would_with_keywords():
    moment = timezone.now()
    values = {"kind": "test.bulk", "token": "t-new", "payload": {"a": 1}, "received_at": moment}
    fast, slow = bulk.new(InboxItem, **values), InboxItem(**values)
    for field in InboxItem._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(slow, field.attname), field.name
    assert fast._state.adding and fast.pk is None
    with pytest.raises(TypeError, match="no fields"):
        bulk.new(InboxItem, kind="x", colour="red")


def test_new_gives_each_object_its_own_callable_default():
    from cityhall.notifications.models import Message

    first, second = (bulk.new(Message, channel="cabinet", event="e") for _ in range(2))
    assert first.next_attempt_at is not None and first.next_attempt_at <= second.next_attempt_at
    assert first.status == Message(channel="cabinet").status
