"""Subscriptions and feeds by territory beyond districts: an address, a point chosen on the
map, a suburb. A discussion matches when its own polygon covers the point (or overlaps the
suburb); without a polygon it counts by its districts, and with neither it is the whole city."""

from __future__ import annotations

import pytest
from django.core import mail

from cityhall.discussions import services
from cityhall.discussions.models import Status, Subscription
from tests.geo.factories import box

from .factories import (
    NOTICE_SOURCE,
    DiscussionFactory,
    DocumentTypeFactory,
    confirm_subscriptions,
)

pytestmark = pytest.mark.django_db

# west_home stands at 55.78 N, 49.05 E: the west district, its south suburb.
AROUND_HOME = box(49.04, 55.77, 49.06, 55.79)
WEST_NORTH_CORNER = box(49.0, 55.83, 49.02, 55.85)


@pytest.fixture
def drafts(city, council):
    """Discussions in draft, each with a different territory, announced by the test."""

    def make(title, **kwargs):
        return DiscussionFactory(organiser=council, status=Status.DRAFT, title=title, **kwargs)

    return {
        "home": make("Сквер у дома", territory=AROUND_HOME),
        "north": make("Северный угол", territory=WEST_NORTH_CORNER),
        "west": make("Весь западный район", districts=[city.west]),
        "east": make("Весь восточный район", districts=[city.east]),
        "city": make("Генеральный план"),
    }


def _announce(drafts, organiser, capture) -> dict[str, list[str]]:
    """Confirm the subscriptions, announce every draft; {discussion key: addresses told}."""
    confirm_subscriptions()
    told: dict[str, list[str]] = {}
    for key, discussion in drafts.items():
        mail.outbox.clear()
        with capture(execute=True):
            services.transition(
                discussion=discussion,
                to=Status.ANNOUNCED,
                actor=organiser,
                notice_source=NOTICE_SOURCE,
            )
        told[key] = sorted(m.to[0] for m in mail.outbox)
    return told


def test_address_subscription_gets_the_discussions_covering_it(
    client, west_home, drafts, organiser, django_capture_on_commit_callbacks
):
    response = client.post(
        "/discussions/subscribe/", {"email": "home@example.org", "address": "Западная 1"}
    )
    assert response.status_code == 302
    sub = Subscription.objects.get()
    assert (sub.lat, sub.lon, sub.place) == (55.78, 49.05, west_home.address)
    told = _announce(drafts, organiser, django_capture_on_commit_callbacks)
    assert told == {
        "home": ["home@example.org"],
        "north": [],
        "west": ["home@example.org"],
        "east": [],
        "city": ["home@example.org"],
    }


def test_point_chosen_on_the_map_and_unsubscribe_without_signing_in(
    client, city, drafts, organiser, django_capture_on_commit_callbacks
):
    client.post(
        "/discussions/subscribe/",
        {"email": "point@example.org", "lat": "55.84", "lon": "49.01"},
    )
    sub = Subscription.objects.get()
    assert sub.place == "55.84000, 49.01000" and sub.district is None
    told = _announce(drafts, organiser, django_capture_on_commit_callbacks)
    assert told["north"] == ["point@example.org"] and told["home"] == []
    message = next(m for m in mail.outbox if m.to == ["point@example.org"])
    stop = services.subscription_link(sub, "unsubscribe")
    assert stop in message.body
    assert client.get(stop).status_code == 200
    client.post(stop)
    sub.refresh_from_db()
    assert sub.is_active is False


def test_suburb_subscription_gets_discussions_overlapping_it(
    client, city, drafts, organiser, django_capture_on_commit_callbacks
):
    topic = DocumentTypeFactory(code="planning_project", name="Проект планировки")
    client.post(
        "/discussions/subscribe/", {"email": "north@example.org", "suburb": city.west_north.pk}
    )
    client.post(
        "/discussions/subscribe/",
        {"email": "topic@example.org", "suburb": city.west_south.pk, "document_type": topic.pk},
    )
    told = _announce(drafts, organiser, django_capture_on_commit_callbacks)
    assert told == {
        "home": [],
        "north": ["north@example.org"],
        "west": ["north@example.org"],
        "east": [],
        "city": ["north@example.org"],
    }


def test_bad_territory_is_refused_with_the_reason(client, city, west_home):
    page = client.post(
        "/discussions/subscribe/", {"email": "a@example.org", "address": "Несуществующая 99"}
    ).content.decode()
    assert "We do not know the address" in page and "Несуществующая 99" in page
    page = client.post(
        "/discussions/subscribe/", {"email": "a@example.org", "lat": "55.0", "lon": "48.0"}
    ).content.decode()
    assert "This point is outside the city" in page
    page = client.post(
        "/discussions/subscribe/",
        {"email": "a@example.org", "district": city.west.pk, "address": "Западная 1"},
    ).content.decode()
    assert "Choose one territory" in page
    assert Subscription.objects.count() == 0


def test_feeds_by_address_point_and_suburb(client, city, west_home, drafts, organiser):
    for discussion in drafts.values():
        services.transition(
            discussion=discussion, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
        )

    def titles(query: str, kind: str = "rss") -> set[str]:
        response = client.get(f"/discussions/feed/{kind}/?{query}")
        assert response.status_code == 200, response.content
        text = response.content.decode()
        return {d.title for d in drafts.values() if d.title in text}

    near_home = {"Сквер у дома", "Весь западный район", "Генеральный план"}
    assert titles("address=Западная 1") == near_home
    assert titles("lat=55.78&lon=49.05", "atom") == near_home
    assert titles(f"suburb={city.west_north.pk}") == {
        "Северный угол",
        "Весь западный район",
        "Генеральный план",
    }
    assert titles(f"district={city.east.pk}") == {"Весь восточный район"}
    refused = client.get("/discussions/feed/rss/?lat=55.0&lon=48.0")
    assert refused.status_code == 400 and "outside the city" in refused.content.decode()
    unknown = client.get("/discussions/feed/atom/?address=Несуществующая 99")
    assert unknown.status_code == 400 and "We do not know the address" in unknown.content.decode()
    assert client.get("/discussions/feed/rss/?suburb=999999").status_code == 400


def test_list_filters_by_address_and_links_the_matching_feeds(
    client, city, west_home, drafts, organiser
):
    for discussion in drafts.values():
        services.transition(
            discussion=discussion, to=Status.ANNOUNCED, actor=organiser, notice_source=NOTICE_SOURCE
        )
    page = client.get("/discussions/", {"address": "Западная 1"}).content.decode()
    assert "Сквер у дома" in page and "Северный угол" not in page
    assert "/discussions/feed/rss/?lat=55.78&amp;lon=49.05" in page
    assert "/discussions/feed/atom/?lat=55.78&amp;lon=49.05" in page
    page = client.get("/discussions/", {"suburb": city.west_north.pk}).content.decode()
    assert "Северный угол" in page and "Сквер у дома" not in page
    assert f"/discussions/feed/rss/?suburb={city.west_north.pk}" in page
    page = client.get("/discussions/", {"address": "Несуществующая 99"}).content.decode()
    assert "We do not know the address" in page
