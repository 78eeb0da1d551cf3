"""Issue 20 item 20 and issue 16 items 25, 28: the discussion pages speak the reader's
language (history reasons, document types, districts, select placeholders, labels), staff get
translated refusals, and the public list puts the open discussions first behind a skip link."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cityhall.discussions import services
from cityhall.discussions.models import FinalDocument, Status
from tests.discussions.factories import DiscussionFactory, DocumentTypeFactory


def page(client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("ru", "Срок приёма предложений истёк."),
        ("tt", "Тәкъдимнәр кабул итү вакыты чыкты."),
        ("en", "The proposal deadline has passed."),
    ],
)
def test_history_reasons_are_in_the_readers_language(client, discussion, language, reason):
    after_deadline = discussion.proposal_deadline + dt.timedelta(minutes=1)
    services.transition(
        discussion=discussion, to=Status.PROPOSALS_CLOSED, actor=None, now=after_deadline
    )
    html = page(client, reverse("discussions:detail", args=[discussion.pk]), language)
    assert reason in html
    if language != "en":
        assert "The proposal deadline has passed." not in html


def test_a_reason_a_person_typed_is_shown_as_typed(client, discussion, organiser):
    discussion.organiser = organiser.memberships.first().organisation
    services.transition(
        discussion=discussion, to=Status.CANCELLED, actor=organiser, reason="Проект отозван"
    )
    html = page(client, reverse("discussions:detail", args=[discussion.pk]), "en")
    assert "Проект отозван" in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "Этапа «bogus» не существует."), ("en", "There is no stage “bogus”.")],
)
def test_an_unknown_stage_is_refused_with_a_translated_message(
    client, discussion, organiser, language, expected
):
    client.force_login(organiser)
    client.cookies["django_language"] = language
    response = client.post(
        reverse("discussions:manage_transition", args=[discussion.pk]), {"to": "bogus"}, follow=True
    )
    html = response.content.decode()
    assert expected in html
    assert "is not a valid Status" not in html
    discussion.refresh_from_db()
    assert discussion.status == Status.EXPOSITION_OPEN


def test_regenerating_a_signed_conclusion_says_it_is_signed(client, council, organiser):
    discussion = DiscussionFactory(
        organiser=council,
        status=Status.CONCLUSION_PUBLISHED,
        responsible_official=organiser,
        responsible_official_position="Председатель комиссии",
    )
    FinalDocument.objects.create(
        discussion=discussion, kind="conclusion", number="C-1", state=FinalDocument.State.SIGNED
    )
    client.force_login(organiser)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("discussions:final_manage", args=[discussion.pk]),
        {"do": "generate_conclusion"},
        follow=True,
    )
    html = response.content.decode()
    assert "It is already signed and cannot be regenerated." in html
    assert "after the protocol is signed" not in html


def test_document_types_and_districts_are_named_in_the_readers_language(client, city, council):
    kind = DocumentTypeFactory(
        code="general_plan",
        name="Генеральный план",
        name_tt="Генераль план",
        name_en="General plan",
    )
    DiscussionFactory(organiser=council, document_type=kind, districts=[city.west])
    city.west.name_en = "West District"
    city.west.save(update_fields=["name_en"])
    english = page(client, reverse("discussions:list"), "en")
    assert "General plan" in english and "Генеральный план" not in english
    assert "West District" in english
    assert "Генераль план" in page(client, reverse("discussions:list"), "tt")
    assert "Генеральный план" in page(client, reverse("discussions:list"), "ru")


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_select_placeholders_and_labels_are_translated(client, city, organiser, language):
    listing = page(client, reverse("discussions:list"), language)
    assert "---------" not in listing
    client.force_login(organiser)
    form = page(client, reverse("discussions:manage_new"), language)
    assert "---------" not in form
    if language != "en":
        assert ">Document type<" not in form and "Document type" not in form


def test_open_discussions_come_first_behind_a_skip_link(client, council):
    DiscussionFactory(organiser=council, status=Status.ARCHIVED, title="Archived newer")
    DiscussionFactory(organiser=council, status=Status.ANNOUNCED, title="Announced one")
    DiscussionFactory(organiser=council, status=Status.EXPOSITION_OPEN, title="Open one")
    html = page(client, reverse("discussions:list"), "en")
    assert html.index("Open one") < html.index("Announced one") < html.index("Archived newer")
    skip = html.index('href="#results"')
    assert skip < html.index('role="search"') < html.index('id="results"')
