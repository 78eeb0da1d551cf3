"""Similar proposals (issue 20.13): suggested on the recommendations desk when grouping
"same as № N", and to the author before submitting — a step without JavaScript, the API as
they type — never on submission."""

from __future__ import annotations

import pytest

from cityhall.discussions import services, similarity
from cityhall.discussions.models import Proposal, Status

pytestmark = pytest.mark.django_db

TEXTS = [
    "Построить станцию метро на улице Баумана",
    "Сохранить сквер на улице Пушкина, не застраивать",
    "Прошу построить станцию метро у улицы Баумана, это нужно жителям",
    "Добавить велодорожки по всему району",
    "Станцию метро на Баумана построить обязательно",
]


@pytest.fixture
def filled(discussion, resident):
    for text in TEXTS:
        services.submit_proposal(discussion=discussion, author=resident, text=text)
    return discussion


def test_author_checks_for_similar_before_submitting_without_javascript(client, filled, resident):
    client.force_login(resident)
    response = client.post(
        f"/discussions/{filled.pk}/propose/",
        {"kind": "proposal", "text": "Нужна станция метро на Баумана", "step": "check"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert Proposal.objects.filter(discussion=filled).count() == 5  # nothing submitted
    assert "Similar proposals already submitted" in html
    for number in (1, 3, 5):
        assert f"/discussions/{filled.pk}/proposals/{number}/" in html
    assert "Пушкина" not in html and "велодорожки" not in html
    assert "Нужна станция метро на Баумана" in html  # the text is kept for submitting
    submitted = client.post(
        f"/discussions/{filled.pk}/propose/",
        {"kind": "proposal", "text": "Нужна станция метро на Баумана", "step": "submit"},
    )
    assert submitted.status_code == 302
    assert Proposal.objects.filter(discussion=filled).count() == 6


def test_similar_api_for_suggestions_as_one_types(client, filled, moderator):
    url = f"/api/v1/discussions/{filled.pk}/similar"
    found = client.get(url, {"text": "Не застраивать сквер на Пушкина"}).json()
    assert [s["number"] for s in found["items"]] == [2]
    assert found["items"][0]["score"] >= similarity.SCORE_CUTOFF
    assert client.get(url, {"text": "метро"}).json() == {"items": []}  # too short to tell
    services.moderate(
        moderator=moderator,
        proposal=Proposal.objects.get(discussion=filled, number=2),
        hide=True,
        reason="off_topic",
    )
    assert client.get(url, {"text": "Не застраивать сквер на Пушкина"}).json() == {"items": []}


def test_recommendations_desk_suggests_the_same_as_group(client, filled, organiser):
    type(filled).objects.filter(pk=filled.pk).update(status=Status.PROPOSALS_CLOSED)
    client.force_login(organiser)
    page = client.get(f"/discussions/manage/{filled.pk}/recommendations/").content.decode()
    assert "?similar_to=1" in page
    suggested = client.get(
        f"/discussions/manage/{filled.pk}/recommendations/", {"similar_to": 1}
    ).content.decode()
    assert "Similar to No. 1" in suggested
    assert 'value="1, 3, 5"' in suggested or 'value="1, 5, 3"' in suggested
    assert 'name="same_as" value="1"' in suggested
    response = client.post(
        f"/discussions/manage/{filled.pk}/recommendations/",
        {"numbers": "1, 3, 5", "recommendation": "accept", "reason": "Учтено", "same_as": 1},
    )
    assert response.status_code == 302
    grouped = Proposal.objects.filter(discussion=filled, number__in=[3, 5])
    assert set(grouped.values_list("same_as__number", flat=True)) == {1}


def test_submission_never_computes_similarity(client, discussion, resident, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("similarity ran on submission")

    monkeypatch.setattr(similarity, "similar_proposals", refuse)
    client.force_login(resident)
    api = client.post(
        f"/api/v1/discussions/{discussion.pk}/proposals",
        {"text": "Через API без подсказок"},
        content_type="application/json",
    )
    assert api.status_code == 201
    page = client.post(
        f"/discussions/{discussion.pk}/propose/",
        {"kind": "proposal", "text": "Со страницы без подсказок", "step": "submit"},
    )
    assert page.status_code == 302
