"""Proposals through the intake inbox: the API acknowledges with a receipt token after one
insert, the inbox worker registers many at once (gap-free numbers, participants, audit,
receipts), and what became invalid in between is refused with the reason on the receipt."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from cityhall.core import inbox
from cityhall.core.models import AuditRecord, InboxItem
from cityhall.discussions import intake
from cityhall.discussions.models import Discussion, Participant, Proposal, Status

from .factories import verified_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def deferred(settings):
    settings.INBOX_INLINE = False


@pytest.fixture
def batches(monkeypatch):
    """The sizes of the batches the proposal handler was given."""
    sizes: list[int] = []

    def counting(items):
        sizes.append(len(items))
        return intake.handle(items)

    monkeypatch.setitem(inbox._HANDLERS, intake.KIND, counting)
    return sizes


def _submit(client, discussion, text, **extra):
    return client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": text, **extra},
        content_type="application/json",
    )


def _receipt(client, token):
    return client.get(f"/api/v1/receipts/{token}").json()


def test_api_acknowledges_then_the_worker_registers_the_batch_in_one_go(
    client, discussion, west_home, batches, django_capture_on_commit_callbacks
):
    people = [verified_person(west_home, username=f"resident{n}") for n in range(4)]
    tokens = []
    for n, person in enumerate(people):
        client.force_login(person)
        response = _submit(
            client, discussion, f"Предложение {n}", kind="question" if n else "proposal"
        )
        assert response.status_code == 202, response.json()
        body = response.json()
        assert body["state"] == "pending"
        assert body["receipt_url"] == f"/api/v1/receipts/{body['token']}"
        tokens.append(body["token"])
    # Received for good, not registered yet.
    assert InboxItem.objects.filter(kind=intake.KIND, state="pending").count() == 4
    assert not Proposal.objects.exists()
    assert _receipt(client, tokens[0])["state"] == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_inbox", "--once")

    assert batches == [4]
    rows = list(
        Proposal.objects.filter(discussion=discussion)
        .order_by("number")
        .values_list("number", "author__username", "kind", "participant__number")
    )
    assert rows == [
        (1, "resident0", "proposal", 1),
        (2, "resident1", "question", 2),
        (3, "resident2", "question", 3),
        (4, "resident3", "question", 4),
    ]
    discussion.refresh_from_db()
    assert (discussion.proposal_count, discussion.participant_count) == (4, 4)
    assert AuditRecord.objects.filter(action="discussions.proposal_registered").count() == 4
    # Registered at the time of receipt; each author has the receipt with the number.
    for token, proposal in zip(tokens, Proposal.objects.order_by("number"), strict=True):
        receipt = _receipt(client, token)
        assert receipt["state"] == "done"
        assert receipt["number"] == str(proposal.number)
        assert receipt["url"] == f"/discussions/{discussion.pk}/proposals/{proposal.number}/"
        assert proposal.registered_at == InboxItem.objects.get(token=token).received_at
    assert sorted(m.subject for m in mail.outbox) == [
        f"Предложение № {n} зарегистрировано" for n in range(1, 5)
    ]
    assert {m.to[0] for m in mail.outbox} == {p.email for p in people}


def test_one_participant_twice_in_a_batch_is_one_participant(client, discussion, resident, batches):
    client.force_login(resident)
    assert _submit(client, discussion, "Первое").status_code == 202
    assert _submit(client, discussion, "Второе").status_code == 202

    inbox.drain()

    assert batches == [2]
    assert list(Proposal.objects.values_list("number", "participant__number")) == [(1, 1), (2, 1)]
    assert Participant.objects.filter(discussion=discussion).count() == 1


def test_received_before_the_deadline_counts_when_registered_after(
    client, discussion, resident, west_home, batches
):
    late_one = verified_person(west_home, username="late")
    client.force_login(resident)
    in_time = _submit(client, discussion, "Успел").json()["token"]
    client.force_login(late_one)
    too_late = _submit(client, discussion, "Не успел").json()["token"]
    # The deadline passes and the scheduler closes the discussion before the worker runs;
    # the second proposal had in fact come in after the deadline.
    deadline = timezone.now()
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_deadline=deadline, status=Status.PROPOSALS_CLOSED
    )
    InboxItem.objects.filter(token=in_time).update(received_at=deadline - dt.timedelta(seconds=1))
    InboxItem.objects.filter(token=too_late).update(received_at=deadline + dt.timedelta(seconds=1))

    inbox.drain()

    assert _receipt(client, in_time)["state"] == "done"
    assert _receipt(client, in_time)["number"] == "1"
    refused = _receipt(client, too_late)
    assert refused["state"] == "refused"
    assert "The deadline has passed" in refused["reason"]
    assert list(Proposal.objects.values_list("number", "text")) == [(1, "Успел")]
    discussion.refresh_from_db()
    assert discussion.proposal_count == 1  # the refused one took no number


def test_discussion_cancelled_before_registration_refuses_with_the_reason(
    client, discussion, resident, west_home, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    token = _submit(client, discussion, "Отменят?").json()["token"]
    client.force_login(verified_person(west_home, username="second"))
    other = _submit(client, discussion, "И меня").json()["token"]
    Discussion.objects.filter(pk=discussion.pk).update(status=Status.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        assert inbox.drain() == 2

    for receipt in (_receipt(client, token), _receipt(client, other)):
        assert receipt["state"] == "refused"
        assert receipt["reason"] == "The discussion was cancelled."
        assert receipt["number"] == ""
    assert not Proposal.objects.exists()
    assert not Participant.objects.exists()
    assert not AuditRecord.objects.filter(action="discussions.proposal_registered").exists()
    assert mail.outbox == []


def test_bad_input_is_refused_at_once_and_nothing_is_received(
    client, discussion, resident, outsider
):
    client.force_login(resident)
    empty = _submit(client, discussion, "   ")
    assert empty.status_code == 422 and "text" in empty.json()["fields"]
    wrong_kind = _submit(client, discussion, "Текст", kind="petition")
    assert wrong_kind.status_code == 422 and "kind" in wrong_kind.json()["fields"]
    outside = _submit(client, discussion, "Текст", lat=10.0, lon=10.0)
    assert outside.status_code == 422 and "lat" in outside.json()["fields"]
    client.force_login(outsider)
    ineligible = _submit(client, discussion, "Текст")
    assert ineligible.status_code == 403 and ineligible.json()["code"] == "not_eligible"
    assert not InboxItem.objects.exists()

    # The same text again within the minute (spacing and case aside): refused, not received.
    client.force_login(resident)
    assert _submit(client, discussion, "Нужен переход").status_code == 202
    again = _submit(client, discussion, "  нужен   ПЕРЕХОД ")
    assert again.status_code == 409 and again.json()["code"] == "duplicate"
    assert InboxItem.objects.count() == 1


def test_web_form_and_staff_register_at_once_through_the_same_handler(
    client, discussion, resident, organiser, west_home, batches
):
    client.force_login(resident)
    response = client.post(
        f"/discussions/{discussion.pk}/propose/", {"kind": "proposal", "text": "С сайта"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/discussions/{discussion.pk}/proposals/1/"
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{discussion.pk}/register/",
        {
            "channel": "written",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "full_name": "Сидорова Мария Ивановна",
            "birth_date": "1970-02-03",
            "document_number": "9205 654321",
            "address": west_home.address,
            "kind": "remark",
            "text": "Письмом",
        },
    )
    assert response.status_code == 302
    assert batches == [1, 1]
    items = InboxItem.objects.filter(kind=intake.KIND).order_by("id")
    assert [(i.state, i.ref) for i in items] == [("done", "1"), ("done", "2")]
    assert list(Proposal.objects.values_list("number", "channel")) == [(1, "web"), (2, "written")]
