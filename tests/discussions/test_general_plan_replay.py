"""Issue 20's "Done when": a general-plan hearing replayed at reduced size.

The organiser creates the discussion on the organiser's pages and announces it in the city's
gazette; a week later the exposition opens and residents send a few hundred proposals, remarks
and questions through the API (acknowledged with receipts, registered by the inbox worker in
batches), one with a photo; a moderator hides one proposal; experts answer every question; the
discussion closes, the organiser recommends on every proposal in bulk, and the responsible
official signs the protocol and the conclusion. Both documents must then hold every registered
proposal's text exactly once (the hidden one too), every answer, the true notice date and
source, and the signer. Kept under half a minute.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from cityhall.accounts.models import Role
from cityhall.discussions import services
from cityhall.discussions.models import Answer, Discussion, FinalDocument, Proposal, Status
from tests.core.hostile_files import minimal_pdf

from .factories import NOTICE_SOURCE, DocumentTypeFactory, staff_with_role, verified_person

pytestmark = pytest.mark.django_db

RESIDENTS = 40
ITEMS_EACH = 8  # 320 items; every fourth a question
POSITION = "Председатель комиссии по подготовке генерального плана"
HIDDEN = 7  # the proposal the moderator hides (its text stays in the legal record)


def _local(moment: dt.datetime, fmt: str) -> str:
    return timezone.localtime(moment).strftime(fmt)


def _create_and_announce(client, organiser, council) -> Discussion:
    """On the organiser's pages: a city-wide general plan, its exposition a week after the
    notice, then announced with the official source of publication."""
    doc_type = DocumentTypeFactory(code="general_plan", name="Генеральный план", min_notice_days=7)
    today = timezone.localdate()
    start = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=8), dt.time(9)))
    end = today + dt.timedelta(days=15)
    deadline = timezone.make_aware(dt.datetime.combine(end, dt.time(18)))
    client.force_login(organiser)
    response = client.post(
        "/discussions/manage/new/",
        {
            "title": "Генеральный план города (актуализация)",
            "document_type": doc_type.pk,
            "organiser": council.pk,
            "allow_residents": "on",
            "responsible_official": organiser.pk,
            "responsible_official_position": POSITION,
            "notice_date": today.isoformat(),
            "exposition_start": _local(start, "%Y-%m-%dT%H:%M"),
            "exposition_end": end.isoformat(),
            "proposal_deadline": _local(deadline, "%Y-%m-%dT%H:%M"),
            "conclusion_due": (end + dt.timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    discussion = Discussion.objects.get(title="Генеральный план города (актуализация)")
    project = SimpleUploadedFile("general-plan.pdf", minimal_pdf(), "application/pdf")
    client.post(
        f"/discussions/manage/{discussion.pk}/documents/",
        {"kind": "project", "title": "Проект генерального плана", "file": project},
    )
    response = client.post(
        f"/discussions/manage/{discussion.pk}/transition/",
        {"to": "announced", "notice_source": NOTICE_SOURCE},
    )
    assert response.status_code == 302
    discussion.refresh_from_db()
    assert discussion.status == Status.ANNOUNCED
    return discussion


def _photo() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x013B] = "Автор снимка"
    Image.new("RGB", (32, 24), (90, 120, 200)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def _submit_through_the_api(client, discussion, people) -> dict[str, str]:
    """Every resident's items through the API (202 with a receipt each); {text: kind}."""
    sent: dict[str, str] = {}
    for p, person in enumerate(people):
        client.force_login(person)
        for i in range(ITEMS_EACH):
            kind = "question" if i % 4 == 3 else ("remark" if i % 4 == 2 else "proposal")
            text = (
                f"Житель {p + 1}, пункт {i + 1}: "
                + ("когда построят школу в микрорайоне?" if kind == "question" else "")
                + (
                    "сохранить сквер и добавить велодорожку вдоль набережной"
                    if kind != "question"
                    else ""
                )
            )
            response = client.post(
                f"/api/v1/discussions/{discussion.pk}/proposals",
                {"text": text, "kind": kind},
                content_type="application/json",
            )
            assert response.status_code == 202, response.content
            sent[text] = kind
    client.force_login(people[0])
    text = "Житель 1: фото заброшенной площадки, предлагаю парк"
    response = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals/with-attachments",
        {"text": text, "attachments": [SimpleUploadedFile("site.jpg", _photo(), "image/jpeg")]},
    )
    assert response.status_code == 202, response.content
    sent[text] = "proposal"
    return sent


def _final(client, discussion, kind: str, capture) -> dict:
    with capture(execute=True):
        response = client.post(
            f"/discussions/manage/{discussion.pk}/final/", {"do": f"generate_{kind}"}
        )
    assert response.status_code == 302
    doc = FinalDocument.objects.get(discussion=discussion, kind=kind)
    assert doc.state == FinalDocument.State.READY
    client.post(f"/discussions/manage/{discussion.pk}/final/", {"do": f"sign_{kind}"})
    doc.refresh_from_db()
    assert doc.state == FinalDocument.State.SIGNED
    return json.loads(doc.json_file.file.open("rb").read())


def _rows(document: dict) -> list[dict]:
    return document["proposals_from_territory"] + document["proposals_from_others"]


def test_a_general_plan_hearing_keeps_every_item_answer_date_source_and_signer(
    client, settings, city, west_home, east_home, council, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.INBOX_INLINE = False  # the API's road: a receipt now, registration in batches
    organiser = staff_with_role(Role.ORGANISER, council, username="head", last_name="Сафин")
    moderator = staff_with_role(Role.MODERATOR, council, username="moderator")
    expert = staff_with_role(Role.EXPERT, council, username="expert")
    people = [
        verified_person(west_home if n % 2 else east_home, username=f"resident{n}")
        for n in range(RESIDENTS)
    ]
    announced_at = timezone.now()
    discussion = _create_and_announce(client, organiser, council)
    assert discussion.notice_published_at >= announced_at

    with time_machine.travel(discussion.exposition_start + dt.timedelta(hours=1), tick=True):
        services.run_scheduled_transitions()
        discussion.refresh_from_db()
        assert discussion.status == Status.EXPOSITION_OPEN
        sent = _submit_through_the_api(client, discussion, people)
        call_command("run_inbox", "--once")
        registered = {p.text: p for p in Proposal.objects.filter(discussion=discussion)}
        assert set(registered) == set(sent)  # every acknowledged item registered, once
        numbers = sorted(p.number for p in registered.values())
        assert numbers == list(range(1, len(sent) + 1))  # gap-free

        client.force_login(moderator)
        client.post(
            f"/discussions/{discussion.pk}/proposals/{HIDDEN}/moderate/",
            {"action": "hide", "reason": "personal_data"},
        )
        hidden = Proposal.objects.get(discussion=discussion, number=HIDDEN)
        assert hidden.visibility == Proposal.Visibility.HIDDEN

        # The questions answered in bulk on the experts' desk, typed as numbers: two batches,
        # two answers, every question once (the hidden one too: the record keeps it).
        numbers = sorted(
            Proposal.objects.filter(discussion=discussion, kind=Proposal.Kind.QUESTION).values_list(
                "number", flat=True
            )
        )
        half = len(numbers) // 2
        answers = {}
        client.force_login(expert)
        for batch, text in (
            (numbers[:half], "Ответ: новая школа будет построена в 2028 году."),
            (numbers[half:], "Ответ: парк у реки сохраняется в границах проекта."),
        ):
            response = client.post(
                "/discussions/questions/",
                {
                    "do": "answer",
                    "discussion": discussion.pk,
                    "numbers": ", ".join(map(str, batch)),
                    "text": text,
                },
            )
            assert response.status_code == 302
            answers.update(dict.fromkeys(batch, text))
        assert Answer.objects.filter(question__discussion=discussion).count() == len(numbers)

    closing = timezone.localtime(discussion.proposal_deadline) + dt.timedelta(minutes=5)
    with time_machine.travel(closing, tick=True):
        services.run_scheduled_transitions()
        discussion.refresh_from_db()
        assert discussion.status == Status.PROPOSALS_CLOSED
        services.set_recommendation(
            actor=organiser,
            discussion=discussion,
            numbers=sorted(p.number for p in registered.values() if p.kind != "question"),
            recommendation="accept",
            reason="Учтено в проекте генерального плана",
        )
        client.force_login(organiser)
        protocol = _final(client, discussion, "protocol", capture)
        client.post(
            f"/discussions/manage/{discussion.pk}/final/",
            {"do": "conclusions", "conclusions": "Проект рекомендовать к утверждению."},
        )
        conclusion = _final(client, discussion, "conclusion", capture)

    discussion.refresh_from_db()
    assert discussion.status == Status.CONCLUSION_PUBLISHED
    true_notice_date = _local(discussion.notice_published_at, "%d.%m.%Y")
    for document in (protocol, conclusion):
        rows = _rows(document)
        texts = Counter(row["text"] for row in rows)
        assert set(texts) == set(sent) and set(texts.values()) == {1}  # each exactly once
        assert len(rows) == discussion.proposal_count == len(sent)
        by_number = {row["number"]: row for row in rows}
        assert by_number[HIDDEN]["text"] == hidden.text
        assert by_number[HIDDEN]["hidden_on_site"]
        assert {n: by_number[n]["answer"] for n in answers} == answers
        assert document["notice_date"] == true_notice_date
        assert document["notice_source"] == NOTICE_SOURCE
        assert document["responsible_official"] == str(organiser)
        assert document["responsible_official_position"] == POSITION
    assert conclusion["unanswered_questions"] == []
    assert all(row["recommendation"] for row in _rows(conclusion) if row["kind"] != "question")
    signed = FinalDocument.objects.filter(discussion=discussion)
    assert {doc.signed_by_id for doc in signed} == {organiser.pk}
