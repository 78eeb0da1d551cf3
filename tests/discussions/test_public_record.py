"""The public record: list with filters, documents with all versions, proposals paginated with
no personal data, map, RSS/Atom feeds, statistics and exports — signed in or not."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cityhall.discussions import services
from cityhall.discussions.models import Status
from tests.core.hostile_files import minimal_pdf

from .factories import DiscussionFactory, DocumentTypeFactory, verified_person

pytestmark = pytest.mark.django_db

PDF1 = minimal_pdf(extra_objects=b"% first\n")
PDF2 = minimal_pdf(extra_objects=b"% corrected\n")


def test_list_filters_by_district_type_status_and_text(client, city, council):
    rules = DocumentTypeFactory(code="land_use_rules", name="Правила землепользования")
    a = DiscussionFactory(organiser=council, districts=[city.west], title="Сквер на Баумана")
    b = DiscussionFactory(
        organiser=council, districts=[city.east], document_type=rules, status=Status.ANNOUNCED
    )
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT, title="Черновик")
    page = client.get("/discussions/").content.decode()
    assert a.title in page and b.title in page and draft.title not in page
    page = client.get(f"/discussions/?district={city.east.pk}").content.decode()
    assert b.title in page and a.title not in page
    page = client.get(f"/discussions/?document_type={rules.pk}").content.decode()
    assert b.title in page and a.title not in page
    page = client.get("/discussions/?status=exposition_open&q=баумана").content.decode()
    assert a.title in page and b.title not in page
    assert client.get(f"/discussions/{draft.pk}/").status_code == 404


def test_document_versions_stay_visible(client, discussion, organiser):
    v1 = services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=SimpleUploadedFile("project.pdf", PDF1),
        title="Проект планировки",
    )
    v2 = services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=SimpleUploadedFile("project-v2.pdf", PDF2),
        document=v1.document,
        note="Исправлена опечатка",
    )
    page = client.get(f"/discussions/{discussion.pk}/").content.decode()
    assert "Version 1" in page and "Version 2" in page and "Исправлена опечатка" in page
    old = client.get(f"/discussions/{discussion.pk}/documents/{v1.pk}/", follow=True)
    assert b"".join(old.streaming_content) == PDF1
    api = client.get(f"/api/v1/discussions/{discussion.pk}/documents").json()
    assert [v["number"] for v in api[0]["versions"]] == [2, 1]
    assert api[0]["versions"][0]["sha256"] == v2.sha256


def test_territory_document_must_really_be_geojson(discussion, organiser):
    from cityhall.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        services.add_document_version(
            actor=organiser,
            discussion=discussion,
            upload=SimpleUploadedFile("territory.geojson", b"\x89PNG\r\n\x1a\nxxxx"),
            kind="territory",
            title="Граница",
        )
    ok = services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=SimpleUploadedFile(
            "territory.geojson", json.dumps({"type": "Polygon", "coordinates": []}).encode()
        ),
        kind="territory",
        title="Граница",
    )
    assert ok.content_type == "application/geo+json"


def test_proposals_paginated_by_number(client, discussion, west_home):
    from cityhall.discussions.selectors import proposals_page

    # Surnames no page text contains (a generated "Page" once matched "Page 2 of 2").
    people = [
        verified_person(west_home, username=f"r{i}", last_name=f"Galimzyanova{i}") for i in range(3)
    ]
    for i in range(55):
        services.submit_proposal(discussion=discussion, author=people[i % 3], text=f"Текст {i}")
    discussion.refresh_from_db()
    page = proposals_page(discussion, page=2)
    assert [p.number for p in page.items] == list(range(51, 56)) and page.pages == 2
    html = client.get(f"/discussions/{discussion.pk}/?page=2").content.decode()
    assert "Текст 54" in html and "Текст 0<" not in html
    api = client.get(f"/api/v1/discussions/{discussion.pk}/proposals?page=2").json()
    assert api["total"] == 55 and api["items"][0]["number"] == 51
    for person in people:
        assert person.last_name not in html


def test_map_page_is_server_rendered_svg(client, city, council):
    from tests.geo.factories import box

    DiscussionFactory(
        organiser=council, title="Парк Горького", territory=box(49.02, 55.76, 49.04, 55.78)
    )
    page = client.get("/discussions/map/").content.decode()
    assert "<svg" in page and "<path" in page and "Парк Горького" in page


def test_map_places_every_published_discussion(client, city, council):
    from tests.geo.factories import box

    drawn = DiscussionFactory(
        organiser=council, title="Парк Горького", territory=box(49.02, 55.76, 49.04, 55.78)
    )
    by_district = DiscussionFactory(organiser=council, title='Район "A&B"', districts=[city.east])
    whole_city = DiscussionFactory(
        organiser=council, title="Генплан", status=Status.ARCHIVED, territory_description="Казань"
    )
    draft = DiscussionFactory(organiser=council, title="Черновик", status=Status.DRAFT)
    page = client.get("/discussions/map/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    # Every discussion is its territory (no markers), each a link to its discussion, the
    # city-wide one drawn first so the smaller ones stay on top.
    assert 'class="map-marker"' not in svg and svg.count('class="map-territory"') == 3
    for d in (drawn, by_district, whole_city):
        assert f'href="/discussions/{d.pk}/"' in svg
    assert f'href="/discussions/{draft.pk}/"' not in page
    order = [svg.index(f'href="/discussions/{d.pk}/"') for d in (whole_city, by_district, drawn)]
    assert order == sorted(order)
    # The interactive map gets the same territories (the SVG stays for readers without it).
    assert '"discussions-map-config"' in page and page.count('"Feature"') >= 3
    assert 'aria-label="' + by_district.number + ' Район &quot;A&amp;B&quot;"' in svg
    assert '"A&B"' not in page
    # The list beside the map says where each one is.
    listing = page[page.index('class="item-list map-list"') :]
    assert "Район" in listing and "Territory: East District" in listing
    assert "Генплан" in listing and "Казань (The whole city)" in listing
    assert "Парк Горького" in listing and "Черновик" not in listing


def test_map_offers_a_subscription_by_address(client, city):
    page = client.get("/discussions/map/").content.decode()
    assert 'action="/discussions/subscribe/"' in page and 'name="address"' in page
    assert 'type="hidden" name="lat"' in page and "places.js" in page


def test_feeds(client, discussion, resident):
    services.submit_proposal(discussion=discussion, author=resident, text="Лента")
    rss = client.get("/discussions/feed/rss/")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert discussion.title in rss.content.decode()
    atom = client.get("/discussions/feed/atom/")
    assert "http://www.w3.org/2005/Atom" in atom.content.decode()
    proposals = client.get(f"/discussions/{discussion.pk}/feed/").content.decode()
    assert "Лента" in proposals and "Participant No. 1" in proposals
    assert resident.last_name not in proposals


def test_statistics_page_and_exports(client, discussion, resident, outsider, expert):
    discussion.open_to_all_verified = True
    discussion.save()
    services.submit_proposal(discussion=discussion, author=resident, text="Раз")
    q = services.submit_proposal(
        discussion=discussion, author=outsider, text="Два?", kind="question"
    )
    services.answer_question(expert=expert, question=q, text="Ответ")
    page = client.get(f"/discussions/{discussion.pk}/statistics/").content.decode()
    assert "<svg" in page and "Западный район" in page
    data = client.get(f"/discussions/{discussion.pk}/statistics/?format=json").json()
    assert data["participants"] == 2 and data["proposals"] == 2 and data["answered"] == 1
    assert dict(map(tuple, data["by_district"])) == {"Западный район": 1, "Восточный район": 1}
    csv_text = client.get(f"/discussions/{discussion.pk}/statistics/?format=csv").content.decode()
    assert "by_participant_type,resident,1" in csv_text
    xlsx = client.get("/discussions/statistics/?format=xlsx")
    assert xlsx.content[:2] == b"PK"


def test_api_list_and_detail(client, discussion):
    rows = client.get("/api/v1/discussions?status=exposition_open").json()
    assert [r["number"] for r in rows] == [discussion.number]
    detail = client.get(f"/api/v1/discussions/{discussion.pk}").json()
    assert detail["districts"] == ["Западный район"]
