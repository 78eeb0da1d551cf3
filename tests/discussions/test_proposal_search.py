"""Search, filters and order inside a discussion (issue 20.12), on its page and in the API."""

from __future__ import annotations

import pytest

from cityhall.discussions import services
from cityhall.discussions.models import Proposal

from .factories import DiscussionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_district_discussion(city, council):
    return DiscussionFactory(organiser=council, districts=[city.west, city.east])


@pytest.fixture
def items(two_district_discussion, resident, outsider, expert):
    d = two_district_discussion
    texts = [
        (resident, "proposal", "Метро нужно продлить до Азино"),
        (resident, "proposal", "Сохранить сквер на улице Пушкина"),
        (outsider, "question", "Когда построят станцию МЕТРО на Баумана?"),
        (outsider, "question", "Когда откроется школа?"),
        (outsider, "remark", "Больше велодорожек у метро"),
    ]
    for author, kind, text in texts:
        services.submit_proposal(discussion=d, author=author, text=text, kind=kind)
    services.answer_question(
        expert=expert, question=Proposal.objects.get(discussion=d, number=4), text="В 2027 году."
    )
    Proposal.objects.filter(discussion=d, number=2).update(support_count=7)
    Proposal.objects.filter(discussion=d, number=1).update(
        recommendation="accept", recommendation_reason="Учтено"
    )
    return d


def _numbers(html: str) -> list[int]:
    import re

    return [int(n) for n in re.findall(r'<h3 id="p(\d+)">', html)]


def test_text_search_on_the_page_finds_every_spelling(client, items):
    page = client.get(f"/discussions/{items.pk}/", {"q": "метро"})
    html = page.content.decode()
    assert page.status_code == 200
    assert _numbers(html) == [1, 3, 5]  # "Метро", "МЕТРО", "метро"
    assert "3 items found." in html
    assert 'value="метро"' in html  # the search box keeps the query


def test_search_never_matches_a_hidden_text(client, items, moderator):
    services.moderate(
        moderator=moderator,
        proposal=Proposal.objects.get(discussion=items, number=5),
        hide=True,
        reason="off_topic",
    )
    html = client.get(f"/discussions/{items.pk}/", {"q": "велодорожек"}).content.decode()
    assert _numbers(html) == []
    assert "Nothing matches" in html


def test_filters_by_status_answer_and_district_on_the_page(client, items, city):
    url = f"/discussions/{items.pk}/"
    assert _numbers(client.get(url, {"status": "accept"}).content.decode()) == [1]
    assert _numbers(client.get(url, {"status": "pending"}).content.decode()) == [2, 5]
    assert _numbers(client.get(url, {"answer": "answered"}).content.decode()) == [4]
    assert _numbers(client.get(url, {"answer": "unanswered"}).content.decode()) == [3]
    east = client.get(url, {"district": city.east.pk}).content.decode()
    assert _numbers(east) == [3, 4, 5]
    both = client.get(url, {"district": city.east.pk, "q": "метро"}).content.decode()
    assert _numbers(both) == [3, 5]


def test_sorting_on_the_page(client, items):
    url = f"/discussions/{items.pk}/"
    assert _numbers(client.get(url, {"sort": "newest"}).content.decode()) == [5, 4, 3, 2, 1]
    assert _numbers(client.get(url, {"sort": "support"}).content.decode())[0] == 2


def test_search_pages_keep_the_query(client, two_district_discussion, resident):
    for n in range(55):
        services.submit_proposal(
            discussion=two_district_discussion, author=resident, text=f"Метро, вариант {n}"
        )
    url = f"/discussions/{two_district_discussion.pk}/"
    first = client.get(url, {"q": "метро", "sort": "newest"}).content.decode()
    assert "Page 1 of 2" in first
    assert "?q=%D0%BC%D0%B5%D1%82%D1%80%D0%BE&amp;sort=newest&amp;page=2" in first
    second = client.get(url, {"q": "метро", "sort": "newest", "page": 2}).content.decode()
    assert _numbers(second) == [5, 4, 3, 2, 1]


def test_api_searches_filters_and_sorts(client, items, city):
    url = f"/api/v1/discussions/{items.pk}/proposals"
    found = client.get(url, {"q": "метро"}).json()
    assert found["total"] == 3 and [p["number"] for p in found["items"]] == [1, 3, 5]
    east = client.get(url, {"district": city.east.pk, "sort": "newest"}).json()
    assert [p["number"] for p in east["items"]] == [5, 4, 3]
    answered = client.get(url, {"answer": "answered"}).json()
    assert [p["number"] for p in answered["items"]] == [4]
    assert answered["items"][0]["answer"]["text"] == "В 2027 году."
    accepted = client.get(url, {"status": "accept"}).json()
    assert [p["number"] for p in accepted["items"]] == [1]
    plain = client.get(url).json()  # no filter: the number-range pages as before
    assert plain["total"] == 5 and plain["pages"] == 1


def test_openapi_documents_the_search_and_filters(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/discussions/{pk}/proposals"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    for name in ("q", "kind", "status", "answer", "district", "section", "sort", "page"):
        assert name in params, name
    assert "text search" in params["q"]["description"]
    assert "newest" in params["sort"]["description"]


def test_on_postgresql_the_search_knows_russian_word_forms(client, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("Russian full-text search is PostgreSQL's; SQLite matches substrings")
    html = client.get(f"/discussions/{items.pk}/", {"q": "станции"}).content.decode()
    assert _numbers(html) == [3]  # "станцию"
