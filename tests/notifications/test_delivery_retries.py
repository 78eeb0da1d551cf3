"""Retries with back-off, permanent failure after the limit, the sweeper, and no double sends."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cityhall.notifications import services
from cityhall.notifications.backoff import next_attempt_after
from cityhall.notifications.models import DeliveryAttempt, Message, SmsLog
from tests.factories import UserFactory

from .factories import ChannelPreferenceFactory, MessageFactory
from .gateways import DownSmsGateway, SlowSmsGateway

CODE = {"code": "111222", "minutes": 10}
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_backoff_schedule_grows_and_stops_at_the_limit():
    delays = (60, 300, 1500, 7200, 36000)
    gaps = [next_attempt_after(n, START, limit=6, delays=delays) - START for n in range(1, 6)]
    assert [g.total_seconds() for g in gaps] == [60, 300, 1500, 7200, 36000]
    assert next_attempt_after(6, START, limit=6, delays=delays) is None
    # a longer limit repeats the last delay
    assert next_attempt_after(7, START, limit=9, delays=delays) - START == dt.timedelta(hours=10)
    with pytest.raises(ValueError):
        next_attempt_after(0, START, limit=6, delays=delays)


@pytest.mark.django_db
def test_temporary_failure_is_retried_with_backoff_then_fails_for_good(
    settings, time_machine, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY = "tests.notifications.gateways.DownSmsGateway"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    settings.NOTIFICATIONS_RETRY_DELAYS = (60, 300, 1500)
    DownSmsGateway.calls = 0
    time_machine.move_to(START, tick=False)
    person = UserFactory(phone="+79170000010")
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["sms"]
        )
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("temp_failed", 1)
    assert message.next_attempt_at == START + dt.timedelta(seconds=60)
    assert "504" in message.last_error

    # not due yet: the sweeper leaves it alone
    time_machine.move_to(START + dt.timedelta(seconds=59), tick=False)
    assert services.deliver_due() == 0

    expected_next = [300, 1500]
    moment = START + dt.timedelta(seconds=60)
    for attempt, gap in zip((2, 3), expected_next, strict=True):
        time_machine.move_to(moment, tick=False)
        assert services.deliver_due() == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("temp_failed", attempt)
        assert message.next_attempt_at == moment + dt.timedelta(seconds=gap)
        moment = message.next_attempt_at

    time_machine.move_to(moment, tick=False)
    call_command("deliver_notifications")
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("perm_failed", 4)
    assert "Gave up after 4 attempts" in message.last_error
    assert DownSmsGateway.calls == 4
    outcomes = list(message.delivery_attempts.values_list("number", "outcome"))
    assert outcomes == [
        (1, "temp_failed"),
        (2, "temp_failed"),
        (3, "temp_failed"),
        (4, "perm_failed"),
    ]

    # a permanent failure is never tried again by the sweeper
    time_machine.move_to(moment + dt.timedelta(days=2), tick=False)
    assert services.deliver_due() == 0
    assert DownSmsGateway.calls == 4


@pytest.mark.django_db
def test_permanent_refusal_is_not_retried(settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY = "tests.notifications.gateways.RefusingSmsGateway"
    person = UserFactory(phone="+70000000000")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["sms"]
        )
    message = Message.objects.get()
    assert (message.status, message.attempts) == ("perm_failed", 1)
    assert message.last_error == "HTTP 400: invalid phone number"


@pytest.mark.django_db
def test_sweeper_delivers_messages_whose_scheduling_was_lost(
    django_capture_on_commit_callbacks, capsys
):
    person = UserFactory(phone="+79170000011")
    ChannelPreferenceFactory(user=person, channel="sms")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(
            recipient=person,
            event="support_ticket.submitted",
            context={"number": "TS-9", "topic": "x"},
        )
    callbacks.clear()  # the process died before the task reached the queue
    assert set(Message.objects.values_list("status", flat=True)) == {"queued"}

    call_command("deliver_notifications")

    assert "3 notification(s) tried" in capsys.readouterr().out
    assert len(mail.outbox) == 1
    assert SmsLog.objects.count() == 1
    assert set(Message.objects.values_list("status", flat=True)) == {"sent", "delivered"}


@pytest.mark.django_db
def test_the_periodic_task_runs_the_sweep():
    from cityhall.notifications.tasks import sweep_outbox

    MessageFactory()
    sweep_outbox.call_local()
    assert Message.objects.get().status == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivered_message_is_never_delivered_again(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        (message,) = services.notify(
            recipient=person, event="accounts.confirmation_code", context=CODE, channels=["email"]
        )
    assert len(mail.outbox) == 1
    assert services.deliver_messages([message.pk]) == 0
    assert services.deliver_due() == 0
    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.count() == 1


@pytest.mark.django_db
def test_a_message_claimed_by_another_worker_is_skipped_until_its_lease_expires(time_machine):
    time_machine.move_to(START, tick=False)
    message = MessageFactory()
    Message.objects.filter(pk=message.pk).update(
        claimed_until=START + dt.timedelta(minutes=10), claim_token="other-worker"
    )
    assert services.deliver_due() == 0
    assert mail.outbox == []
    # the other worker died: after the lease the message is picked up again
    time_machine.move_to(START + dt.timedelta(minutes=11), tick=False)
    assert services.deliver_due() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(settings):
    """Real concurrency: two threads (two database connections) deliver the same messages."""
    settings.SMS_GATEWAY = "tests.notifications.gateways.SlowSmsGateway"
    SlowSmsGateway.calls = 0
    person = UserFactory(phone="+79170000012")
    ids = [
        MessageFactory(recipient=person, channel="sms", address=person.phone).pk for _ in range(3)
    ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker(task):
        try:
            barrier.wait()
            task()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(lambda: services.deliver_messages(ids),)),
        threading.Thread(target=worker, args=(services.deliver_due,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert SlowSmsGateway.calls == 3
    assert SmsLog.objects.count() == 3
    assert DeliveryAttempt.objects.count() == 3
    assert set(Message.objects.values_list("status", flat=True)) == {"sent"}
    assert timezone.now() > Message.objects.first().sent_at
