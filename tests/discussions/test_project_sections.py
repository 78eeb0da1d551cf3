"""Participatory texts (issue 20.15): participants attach a proposal to a section or page of
the project document; the public page shows the proposals per section."""

from __future__ import annotations

import pytest

from cityhall.core.models import AuditRecord
from cityhall.discussions import services
from cityhall.discussions.models import DocumentSection, Proposal, Status

from .factories import DiscussionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sections(client, discussion, organiser):
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{discussion.pk}/sections/",
        {"sections": "3.1 | Транспорт\n3.2 | Озеленение\nстр. 14 | Карта зон"},
    )
    assert response.status_code == 302
    client.logout()
    return {s.reference: s for s in DocumentSection.objects.filter(discussion=discussion)}


def test_organiser_lists_sections_through_the_page(sections, discussion):
    assert list(
        DocumentSection.objects.filter(discussion=discussion).values_list("reference", "title")
    ) == [("3.1", "Транспорт"), ("3.2", "Озеленение"), ("стр. 14", "Карта зон")]
    assert AuditRecord.objects.filter(action="discussions.sections_set").count() == 1


def test_participant_attaches_a_proposal_to_a_section_on_the_page(
    client, discussion, resident, sections
):
    client.force_login(resident)
    form = client.get(f"/discussions/{discussion.pk}/propose/").content.decode()
    assert "3.2 Озеленение" in form
    response = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {"kind": "proposal", "text": "Высадить липы", "section": sections["3.2"].pk},
    )
    assert response.status_code == 302
    assert Proposal.objects.get(discussion=discussion).section == sections["3.2"]
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Section of the project: 3.2 Озеленение" in page


def test_api_takes_a_section_and_lists_sections_with_counts(client, discussion, resident, sections):
    client.force_login(resident)
    url = f"/api/v1/discussions/{discussion.pk}/proposals"
    for text, section in (("Автобус", "3.1"), ("Трамвай", "3.1"), ("Сквер", "3.2")):
        response = client.post(
            url, {"text": text, "section": sections[section].pk}, content_type="application/json"
        )
        assert response.status_code == 201, response.json()
    listed = client.get(f"/api/v1/discussions/{discussion.pk}/sections").json()
    assert [(s["reference"], s["proposal_count"]) for s in listed] == [
        ("3.1", 2),
        ("3.2", 1),
        ("стр. 14", 0),
    ]
    transport = client.get(url, {"section": sections["3.1"].pk}).json()
    assert [p["text"] for p in transport["items"]] == ["Автобус", "Трамвай"]
    assert transport["items"][0]["section"] == "3.1 Транспорт"


def test_public_page_shows_proposals_per_section(client, discussion, resident, sections):
    services.submit_proposal(
        discussion=discussion, author=resident, text="Автобус", section=sections["3.1"].pk
    )
    services.submit_proposal(discussion=discussion, author=resident, text="Без раздела")
    page = client.get(f"/discussions/{discussion.pk}/sections/").content.decode()
    assert "Транспорт" in page and "1 item" in page and "0 items" in page
    listed = client.get(f"/discussions/{discussion.pk}/", {"section": sections["3.1"].pk})
    html = listed.content.decode()
    assert "Автобус" in html and "Без раздела" not in html


def test_a_section_of_another_discussion_is_refused(client, city, council, resident, sections):
    other = DiscussionFactory(organiser=council, districts=[city.west])
    client.force_login(resident)
    response = client.post(
        f"/api/v1/discussions/{other.pk}/proposals",
        {"text": "Чужой раздел", "section": sections["3.1"].pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "section" in response.json()["fields"]
    assert not Proposal.objects.filter(discussion=other).exists()


def test_sections_cannot_be_removed_once_proposals_are_accepted(
    client, discussion, organiser, sections
):
    client.force_login(organiser)
    response = client.post(
        f"/discussions/manage/{discussion.pk}/sections/",
        {"sections": "3.1 | Транспорт и дороги\nстр. 14 | Карта зон"},
    )
    assert response.status_code == 422
    assert "cannot be removed" in response.content.decode()
    assert DocumentSection.objects.filter(discussion=discussion).count() == 3
    renamed = client.post(
        f"/discussions/manage/{discussion.pk}/sections/",
        {"sections": "3.1 | Транспорт и дороги\n3.2 | Озеленение\nстр. 14 | Карта зон"},
    )
    assert renamed.status_code == 302
    assert DocumentSection.objects.get(discussion=discussion, reference="3.1").title == (
        "Транспорт и дороги"
    )


def test_sections_may_change_freely_before_the_exposition(client, city, council, organiser):
    draft = DiscussionFactory(organiser=council, status=Status.ANNOUNCED, districts=[city.west])
    client.force_login(organiser)
    url = f"/discussions/manage/{draft.pk}/sections/"
    client.post(url, {"sections": "1 | Один\n2 | Два"})
    assert client.post(url, {"sections": "2 | Два"}).status_code == 302
    assert list(DocumentSection.objects.filter(discussion=draft).values_list("reference")) == [
        ("2",)
    ]


def test_only_the_organiser_edits_sections(client, discussion, resident):
    client.force_login(resident)
    response = client.post(
        f"/discussions/manage/{discussion.pk}/sections/", {"sections": "1 | Один"}
    )
    assert response.status_code in (302, 403)
    assert not DocumentSection.objects.exists()
