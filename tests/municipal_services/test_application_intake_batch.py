"""Applications through the intake inbox: the API acknowledges a valid submission with a
receipt after one insert, the inbox worker registers a batch of them in one go (gap-free
numbers, variant and automatic decision by the rules, working-day deadline, history, audit,
the applicant's notification), the receipt then tells the number, and what became invalid
before registration is refused with its reason."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from cityhall.accounts.tokens import create_api_token
from cityhall.core import inbox
from cityhall.core.models import AuditRecord, InboxItem
from cityhall.municipal_services import intake, services
from cityhall.municipal_services.models import Application, ApplicationEvent, ServiceVersion
from cityhall.notifications.models import Message
from tests.factories import UserFactory

from .factories import BASE_DEFINITION, Department, published_service, upload

pytestmark = pytest.mark.django_db

NO_DOCUMENTS = {"documents": [BASE_DEFINITION["documents"][1]]}  # only an optional one
OFFICE = {"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120}
SHOP = {"applicant_name": "ИП Иванов", "purpose": "shop", "area": 500}


@pytest.fixture
def background(settings):
    settings.INBOX_INLINE = False


@pytest.fixture
def service():
    dept = Department()
    return published_service(dept, **NO_DOCUMENTS)


def _post(client, user, answers, code="building-permit"):
    return client.post(
        "/api/v1/applications",
        {"service": code, "submit": True, "answers": answers},
        content_type="application/json",
        headers={"Authorization": f"Bearer {create_api_token(user=user, name='t')}"},
    )


def test_the_api_acknowledges_then_the_worker_registers_a_batch(client, background, service):
    people = [UserFactory() for _ in range(3)]
    answers = [OFFICE, SHOP, {**OFFICE, "heritage_zone": True}]
    receipts = []
    for person, given in zip(people, answers, strict=True):
        response = _post(client, person, given)
        assert response.status_code == 202
        body = response.json()
        assert body["state"] == "pending"
        assert body["receipt_url"] == f"/api/v1/receipts/{body['token']}"
        receipts.append(body)
    assert not Application.objects.exists()
    assert client.get(receipts[0]["receipt_url"]).json()["state"] == "pending"

    call_command("run_inbox", "--once")

    year = timezone.localdate().year
    done = [client.get(r["receipt_url"]).json() for r in receipts]
    assert [d["state"] for d in done] == ["done"] * 3
    assert [d["number"] for d in done] == [f"{year}-{n:06d}" for n in (1, 2, 3)]
    cases = [Application.objects.get(number=d["number"]) for d in done]
    assert [c.applicant for c in cases] == people
    assert {c.status for c in cases} == {Application.Status.ACCEPTANCE}
    assert {c.channel for c in cases} == {Application.Channel.API}
    assert len({c.submitted_at for c in cases}) == 1  # registered together, in one transaction
    assert all(c.due_at > c.submitted_at for c in cases)
    assert done[0]["url"] == f"/services/applications/{cases[0].pk}/"
    # the rules: a small office outside heritage zones gets the automatic approval proposal
    assert (cases[0].variant, cases[0].proposed_decision) == ("small-office", "approve")
    assert (cases[1].variant, cases[1].proposed_decision) == ("general", "")
    assert (cases[2].variant, cases[2].proposed_decision) == ("general", "")
    assert "300" in cases[0].proposal_reason
    for case in cases:
        event = ApplicationEvent.objects.get(application=case)
        assert (event.kind, event.from_status, event.to_status) == (
            "submitted",
            "draft",
            "acceptance",
        )
        record = AuditRecord.objects.get(
            action="municipal_services.application_submitted", object_id=str(case.pk)
        )
        assert record.object_type == "municipal_services.application"
        assert record.actor_id == case.applicant_id
        message = Message.objects.filter(
            recipient=case.applicant, event="municipal_services.status_changed"
        ).first()
        assert message is not None and case.number in message.subject
    assert "audit trail intact" in call_command_output("verify_audit")


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_bad_input_is_refused_at_once_and_nothing_is_stored(client, background, service):
    response = _post(client, UserFactory(), {"applicant_name": "AB", "purpose": "zoo", "area": 0})
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert fields["applicant_name"] == ["Enter at least 3 characters."]
    assert fields["purpose"] == ["Choose one of the listed values."]
    assert fields["area"] == ["Enter a number not less than 1."]
    assert not InboxItem.objects.exists()
    assert _post(client, UserFactory(), OFFICE, code="no-such").status_code == 404
    assert not InboxItem.objects.exists()


def test_a_service_that_asks_for_documents_is_refused_before_receipt(client, background):
    published_service(Department())  # the site plan is required: upload it on a draft first
    response = _post(client, UserFactory(), OFFICE)
    assert response.status_code == 422
    assert response.json()["fields"]["plan"] == ["Attach this document."]
    assert not InboxItem.objects.exists()


def test_a_submission_whose_service_changed_before_registration_is_refused(
    client, background, service
):
    early = _post(client, UserFactory(), OFFICE).json()
    # officials publish a new version before the worker gets to it: v1's form is gone
    v2 = services.create_draft(actor=None, service=service)
    services.publish_version(actor=None, version=v2)
    kept = _post(client, UserFactory(), SHOP).json()

    call_command("run_inbox", "--once")

    refused = client.get(early["receipt_url"]).json()
    assert refused["state"] == "refused"
    assert "fill in its current form again" in refused["reason"]
    registered = client.get(kept["receipt_url"]).json()
    assert registered["state"] == "done"
    # the refusal took no number: the next one is still the first of the year
    assert registered["number"] == f"{timezone.localdate().year}-000001"
    case = Application.objects.get()
    assert case.version == v2 and case.version.status == ServiceVersion.Status.PUBLISHED


def test_a_draft_sent_twice_becomes_one_case_and_the_second_receipt_says_why(background):
    dept = Department()
    service = published_service(dept)
    applicant = UserFactory()
    draft = services.start_application(actor=applicant, service=service)
    services.save_draft(application=draft, actor=applicant, answers=SHOP)
    services.upload_file(application=draft, actor=applicant, document_code="plan", upload=upload())
    first = inbox.receive(intake.KIND, intake.draft_payload(draft), actor=applicant)
    second = inbox.receive(intake.KIND, intake.draft_payload(draft), actor=applicant)
    stranger = inbox.receive(intake.KIND, intake.draft_payload(draft), actor=UserFactory())

    assert inbox.drain() == 3

    rows = {row.pk: row for row in InboxItem.objects.all()}
    assert rows[first.id].state == "done"
    draft.refresh_from_db()
    assert rows[first.id].ref == draft.number and draft.status == Application.Status.ACCEPTANCE
    assert rows[second.id].state == "refused"
    assert rows[second.id].error == "The application has been submitted and cannot be changed now."
    assert rows[stranger.id].state == "refused"
    assert draft.events.filter(kind="submitted").count() == 1


def test_drafts_never_submitted_leave_no_gap_in_the_numbers(client, service):
    applicant = UserFactory()
    for _ in range(2):  # started, never sent
        services.start_application(actor=applicant, service=service)
    first = services.apply_and_submit(actor=applicant, service=service, answers=OFFICE)
    services.start_application(actor=applicant, service=service)
    second = services.apply_and_submit(actor=applicant, service=service, answers=SHOP)
    year = timezone.localdate().year
    assert [first.number, second.number] == [f"{year}-000001", f"{year}-000002"]
    items = InboxItem.objects.filter(kind=intake.KIND).order_by("pk")
    assert [(i.state, i.ref) for i in items] == [("done", first.number), ("done", second.number)]
