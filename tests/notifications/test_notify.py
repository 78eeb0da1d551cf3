"""notify(): which messages are written, for whom, in which language; delivery after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cityhall.notifications import services
from cityhall.notifications.models import ChannelPreference, Message, SmsLog
from cityhall.portal.services import submit_support_ticket
from tests.factories import MembershipFactory, UserFactory

from .factories import ChannelPreferenceFactory

pytestmark = pytest.mark.django_db

TICKET = {"number": "TS-2026-000001", "topic": "Technical problem"}


def _channels(messages):
    return sorted(m.channel for m in messages)


def test_default_channels_are_email_and_cabinet():
    person = UserFactory(phone="+79171234567")
    messages = services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
    assert _channels(messages) == ["cabinet", "email"]  # SMS is opt-in
    email = next(m for m in messages if m.channel == "email")
    assert email.address == person.email
    assert all(m.status == Message.Status.QUEUED for m in messages)


def test_preferences_decide_the_channels():
    person = UserFactory(phone="+79171234567")
    ChannelPreferenceFactory(user=person, channel="sms", enabled=True)
    ChannelPreferenceFactory(user=person, channel="email", enabled=False)
    messages = services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
    assert _channels(messages) == ["cabinet", "sms"]
    sms = next(m for m in messages if m.channel == "sms")
    assert sms.address == "+79171234567"
    # SMS carries the short text, not the letter
    assert sms.body == "Новое обращение в техподдержку TS-2026-000001: Technical problem."


def test_a_channel_without_an_address_gets_no_message():
    person = UserFactory(email=None, phone=None)
    ChannelPreferenceFactory(user=person, channel="sms", enabled=True)
    messages = services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
    assert _channels(messages) == ["cabinet"]


def test_explicit_channels_override_preferences_but_not_possibility():
    person = UserFactory(phone=None)
    ChannelPreferenceFactory(user=person, channel="email", enabled=False)
    messages = services.notify(
        recipient=person,
        event="accounts.confirmation_code",
        context={"code": "482913", "minutes": 10},
        channels=["email", "sms"],
    )
    assert _channels(messages) == ["email"]  # no phone → no SMS; no cabinet unless asked


def test_unknown_channel_name_is_a_programming_error():
    with pytest.raises(ValueError, match="carrier_pigeon"):
        services.notify(
            recipient=UserFactory(),
            event="support_ticket.submitted",
            context=TICKET,
            channels=["carrier_pigeon"],
        )


def test_blocked_account_gets_nothing():
    person = UserFactory(is_active=False)
    assert services.notify(recipient=person, event="support_ticket.submitted", context=TICKET) == []
    assert not Message.objects.exists()


def test_undeclared_event_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="not declared"):
        services.notify(recipient=UserFactory(), event="nobody.declared_this", context={})


def test_missing_context_variable_fails_loudly():
    with pytest.raises(ImproperlyConfigured, match="minutes"):
        services.notify(
            recipient=UserFactory(), event="accounts.confirmation_code", context={"code": "1"}
        )


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Код подтверждения: 482913"),
        ("tt", "Раслау коды: 482913"),
        ("en", "Your confirmation code: 482913"),
    ],
)
def test_message_is_in_the_recipients_language(language, expected):
    person = UserFactory(preferred_language=language)
    messages = services.notify(
        recipient=person,
        event="accounts.confirmation_code",
        context={"code": "482913", "minutes": 10},
    )
    assert {m.subject for m in messages} == {expected}
    assert {m.language for m in messages} == {language}


def test_explicit_language_wins_over_the_preference():
    person = UserFactory(preferred_language="ru")
    (message,) = services.notify(
        recipient=person,
        event="accounts.confirmation_code",
        context={"code": "1", "minutes": 5},
        channels=["cabinet"],
        language="en",
    )
    assert message.language == "en"
    assert "valid for 5 minutes" in message.body


def test_nothing_is_sent_before_commit_and_everything_after(django_capture_on_commit_callbacks):
    person = UserFactory(phone="+79170000001")
    ChannelPreferenceFactory(user=person, channel="sms")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = services.notify(
            recipient=person, event="support_ticket.submitted", context=TICKET
        )
    assert len(callbacks) == 1
    assert mail.outbox == [] and not SmsLog.objects.exists()
    assert set(Message.objects.values_list("status", flat=True)) == {"queued"}

    callbacks[0]()  # the transaction commits

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]
    assert SmsLog.objects.get().phone == "+79170000001"
    statuses = dict(Message.objects.values_list("channel", "status"))
    assert statuses == {"email": "sent", "sms": "sent", "cabinet": "delivered"}
    assert len(messages) == 3


def test_rolled_back_change_notifies_nobody(django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_notify_is_cheap_on_the_hot_path(django_capture_on_commit_callbacks):
    """Preferences, templates, one insert: a constant handful of queries, no delivery inline."""
    person = UserFactory(phone="+79170000002")
    ChannelPreferenceFactory(user=person, channel="sms")
    with (
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as queries,
    ):
        services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # one bulk insert for three messages
    assert len(queries.captured_queries) <= 3  # preferences, templates, insert
    assert mail.outbox == []


def test_a_batch_reads_everybodys_choices_with_one_query(django_capture_on_commit_callbacks):
    """A batch registration notifying many people: each still gets the channels they chose,
    and the choices were read once for all of them."""
    default = UserFactory(phone="+79170000003")
    texts = UserFactory(phone="+79170000004")
    ChannelPreferenceFactory(user=texts, channel="sms", enabled=True)
    ChannelPreferenceFactory(user=texts, channel="email", enabled=False)
    quiet = UserFactory()
    ChannelPreferenceFactory(user=quiet, channel="email", enabled=False)
    people = [default, texts, quiet]
    with (
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as queries,
        services.preferences_loaded(p.pk for p in people),
    ):
        sent = [
            services.notify(recipient=p, event="support_ticket.submitted", context=TICKET)
            for p in people
        ]
    assert [_channels(m) for m in sent] == [["cabinet", "email"], ["cabinet", "sms"], ["cabinet"]]
    table = ChannelPreference._meta.db_table
    assert len([q for q in queries.captured_queries if table in q["sql"]]) == 1


def test_notify_address_reaches_people_without_an_account(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        messages = services.notify_address(
            email="applicant@example.org",
            phone="+79175550000",
            event="accounts.confirmation_code",
            context={"code": "771100", "minutes": 15},
        )
    assert _channels(messages) == ["email", "sms"]
    assert all(m.recipient is None for m in messages)
    assert mail.outbox[0].subject == "Код подтверждения: 771100"
    assert "771100" in SmsLog.objects.get(phone="+79175550000").text


def test_notify_address_without_any_address_queues_nothing():
    messages = services.notify_address(
        email=None, event="accounts.confirmation_code", context={"code": "1", "minutes": 1}
    )
    assert messages == []
    assert not Message.objects.exists()
    with pytest.raises(ImproperlyConfigured):
        services.notify_address(email=None, event="nobody.declared_this", context={})


def test_support_ticket_notifies_every_administrator(django_capture_on_commit_callbacks):
    first = MembershipFactory(role="administrator").user
    second = MembershipFactory(role="administrator", user__preferred_language="en").user
    MembershipFactory(role="operator")  # not an administrator
    with django_capture_on_commit_callbacks(execute=True):
        ticket = submit_support_ticket(
            author=None,
            name="Ильдар",
            email="ildar@example.org",
            topic="technical",
            message="Карта не открывается",
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([first.email, second.email])
    english = next(m for m in mail.outbox if m.to == [second.email])
    assert english.subject == f"New support ticket {ticket.number}"
    assert Message.objects.filter(channel="cabinet", recipient=first).exists()
    assert not ChannelPreference.objects.exists()


def test_a_batch_schedules_one_delivery_job_for_all_its_messages(
    django_capture_on_commit_callbacks,
):
    """A batch registration (core.inbox) notifies dozens of people: one job after commit."""
    from cityhall.core import oncommit

    people = [UserFactory() for _ in range(3)]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        CaptureQueriesContext(connection) as queries,
        transaction.atomic(),
        oncommit.merged(),
    ):
        for person in people:
            services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
        assert not Message.objects.exists()  # written when the batch ends
    inserts = [q for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # six messages, one statement
    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert set(Message.objects.values_list("status", flat=True)) == {"sent", "delivered"}

    # outside a batch, each notify schedules its own
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(recipient=people[0], event="support_ticket.submitted", context=TICKET)
        services.notify(recipient=people[1], event="support_ticket.submitted", context=TICKET)
    assert len(callbacks) == 2
    assert len(mail.outbox) == 5


def test_a_failed_batch_schedules_nothing(django_capture_on_commit_callbacks):
    from cityhall.core import oncommit

    person = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
        oncommit.merged(),
    ):
        services.notify(recipient=person, event="support_ticket.submitted", context=TICKET)
        raise RuntimeError("the batch failed")
    assert callbacks == [] and mail.outbox == []
