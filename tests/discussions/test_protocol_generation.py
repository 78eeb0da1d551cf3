"""Protocol and conclusion: drafted at the close, recommendations (bulk, grouped, templates),
PDF + JSON deterministic with SHA-256, signed by the official, extract, archive."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from cityhall.core.errors import Conflict, Forbidden
from cityhall.core.models import AuditRecord
from cityhall.discussions import protocol, services
from cityhall.discussions.models import Discussion, FinalDocument, Proposal, Status

from .factories import verified_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(discussion, organiser, resident, outsider, west_home):
    discussion.responsible_official = organiser
    discussion.responsible_official_position = "Председатель комиссии"
    discussion.open_to_all_verified = True
    discussion.save()
    services.submit_proposal(discussion=discussion, author=resident, text="Сохранить сквер")
    services.submit_proposal(discussion=discussion, author=outsider, text="Построить парковку")
    other = verified_person(west_home, username="third")
    services.submit_proposal(discussion=discussion, author=other, text="Сохранить сквер!")
    services.submit_proposal(
        discussion=discussion, author=other, text="Когда начнётся стройка?", kind="question"
    )
    Discussion.objects.filter(pk=discussion.pk).update(
        proposal_deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    services.run_scheduled_transitions()
    discussion.refresh_from_db()
    assert discussion.status == Status.PROPOSALS_CLOSED
    return discussion


def _generate(client, discussion, kind, capture):
    with capture(execute=True):
        client.post(f"/discussions/manage/{discussion.pk}/final/", {"do": f"generate_{kind}"})
    return FinalDocument.objects.get(discussion=discussion, kind=kind)


def test_full_close_protocol_conclusion_archive(
    client, closed, organiser, resident, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    protocol_doc = _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    assert protocol_doc.state == "ready" and protocol_doc.progress == 100
    data = json.loads(protocol_doc.json_file.file.read())
    assert [p["number"] for p in data["proposals_from_territory"]] == [1, 3, 4]
    assert [p["number"] for p in data["proposals_from_others"]] == [2]
    assert data["proposals_from_territory"][0]["participant"] == "Участник № 1"
    raw = protocol_doc.json_file.file.open("rb").read()
    assert resident.last_name.encode() not in raw  # no personal data in the public file
    assert protocol_doc.pdf_file.file.open("rb").read().startswith(b"%PDF")
    assert (
        protocol_doc.pdf_sha256
        == hashlib.sha256(protocol_doc.pdf_file.file.open("rb").read()).hexdigest()
    )
    # The participant list with identification data is attached, for the organiser only.
    appendix = json.loads(protocol_doc.appendix_file.file.open("rb").read())
    assert appendix["participants"][0]["full_name"].startswith(resident.last_name)
    client.logout()
    assert client.get(f"/discussions/{closed.pk}/protocol.pdf").status_code == 404  # not signed
    assert client.get(f"/discussions/manage/{closed.pk}/appendix/").status_code == 302
    client.force_login(organiser)

    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_protocol"})
    closed.refresh_from_db()
    assert closed.status == Status.PROTOCOL_SIGNED
    assert (
        AuditRecord.objects.filter(action="discussions.protocol_signed").get().after["pdf_sha256"]
        == protocol_doc.pdf_sha256
    )

    # Conclusion refused until every proposal has a recommendation.
    client.post(
        f"/discussions/manage/{closed.pk}/final/",
        {"do": "conclusions", "conclusions": "Проект рекомендовать к утверждению."},
    )
    with pytest.raises(Conflict):
        services.request_final_document(actor=organiser, discussion=closed, kind="conclusion")


def test_recommendations_bulk_grouped_and_conclusion(
    client, closed, organiser, resident, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{closed.pk}/recommendations/",
        {
            "numbers": "1, 3",
            "recommendation": "accept",
            "reason": "Сквер сохраняется",
            "same_as": 1,
        },
    )
    assert response.status_code == 302
    services.set_recommendation(
        actor=organiser,
        discussion=closed,
        numbers=[2],
        recommendation="reject",
        reason="Противоречит ПЗЗ",
    )
    assert Proposal.objects.get(discussion=closed, number=3).same_as.number == 1
    _generate(client, closed, "protocol", django_capture_on_commit_callbacks)
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_protocol"})
    client.post(
        f"/discussions/manage/{closed.pk}/final/",
        {"do": "conclusions", "conclusions": "Проект рекомендовать к утверждению."},
    )
    # Question № 4 is unanswered: the organiser decides to list it as such (issue 20.5).
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "list_unanswered"})
    conclusion = _generate(client, closed, "conclusion", django_capture_on_commit_callbacks)
    data = json.loads(conclusion.json_file.file.open("rb").read())
    assert (
        data["protocol"]["pdf_sha256"]
        == FinalDocument.objects.get(discussion=closed, kind="protocol").pdf_sha256
    )
    assert data["proposals_from_territory"][1]["same_as"] == 1
    assert data["proposals_from_others"][0]["recommendation"] == "reject"
    client.post(f"/discussions/manage/{closed.pk}/final/", {"do": "sign_conclusion"})
    closed.refresh_from_db()
    assert closed.status == Status.CONCLUSION_PUBLISHED

    client.logout()
    page = client.get(f"/discussions/{closed.pk}/").content.decode()
    assert conclusion.pdf_sha256 in page
    assert "Проект рекомендовать к утверждению." in page
    download = client.get(f"/discussions/{closed.pk}/conclusion.pdf", follow=True)
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == conclusion.pdf_sha256
    api = client.get(f"/api/v1/discussions/{closed.pk}/final").json()
    assert {d["kind"] for d in api} == {"protocol", "conclusion"}
    via_api = client.get(f"/api/v1/discussions/{closed.pk}/conclusion.json", follow=True)
    body = b"".join(via_api.streaming_content)
    assert hashlib.sha256(body).hexdigest() == conclusion.json_sha256

    # The participant's own extract.
    client.force_login(resident)
    extract = client.get(f"/discussions/{closed.pk}/extract.pdf")
    assert extract.status_code == 200 and extract.content.startswith(b"%PDF")

    services.transition(discussion=closed, to=Status.ARCHIVED, actor=organiser)
    closed.refresh_from_db()
    with pytest.raises(Conflict):
        services.set_recommendation(
            actor=organiser, discussion=closed, numbers=[1], recommendation="reject", reason="x"
        )


def test_same_data_gives_the_same_bytes(closed, organiser):
    doc = services.request_final_document(actor=organiser, discussion=closed, kind="protocol")
    first = protocol.generate(doc.pk)
    pdf1, json1 = first.pdf_sha256, first.json_sha256
    second = protocol.generate(doc.pk)
    assert (second.pdf_sha256, second.json_sha256) == (pdf1, json1)
    # A changed datum changes the bytes.
    Proposal.objects.filter(discussion=closed, number=1).update(text="Иной текст")
    third = protocol.generate(doc.pk)
    assert third.json_sha256 != json1 and third.pdf_sha256 != pdf1


def test_only_the_responsible_official_signs(closed, organiser, council):
    from cityhall.accounts.models import Role

    from .factories import staff_with_role

    colleague = staff_with_role(Role.ORGANISER, council, username="colleague")
    doc = services.request_final_document(actor=organiser, discussion=closed, kind="protocol")
    protocol.generate(doc.pk)
    doc.refresh_from_db()
    with pytest.raises(Forbidden):
        services.sign_final_document(actor=colleague, document=doc)


def test_progress_page_refreshes_without_javascript(client, closed, organiser):
    FinalDocument.objects.create(
        discussion=closed, kind="protocol", number="P-x", state="generating", progress=40
    )
    client.force_login(organiser)
    page = client.get(f"/discussions/manage/{closed.pk}/final/").content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert 'value="40"' in page
    assert client.get(f"/discussions/manage/{closed.pk}/final/progress/").json() == {
        "protocol": {"state": "generating", "progress": 40}
    }
