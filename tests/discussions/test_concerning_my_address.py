"""A signed-in resident sees the discussions whose territory includes their verified registered
address: on the list (``?my_address=1``) and in the cabinet; the test is the same polygon as
eligibility, and a typed address never counts."""

from __future__ import annotations

import pytest

from cityhall.discussions.models import Status
from tests.factories import UserFactory
from tests.geo.factories import box

from .factories import DiscussionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(city, council):
    return {
        "square": DiscussionFactory(
            organiser=council, title="Сквер у дома", territory=box(49.04, 55.77, 49.06, 55.79)
        ),
        "east": DiscussionFactory(
            organiser=council, title="Восточный квартал", districts=[city.east]
        ),
        "far": DiscussionFactory(
            organiser=council, title="Соседний квартал", territory=box(49.07, 55.77, 49.09, 55.79)
        ),
        "draft": DiscussionFactory(
            organiser=council,
            title="Черновик",
            status=Status.DRAFT,
            territory=box(49.04, 55.77, 49.06, 55.79),
        ),
    }


def _titles(page: str, placed: dict) -> set[str]:
    return {d.title for d in placed.values() if d.title in page}


def test_list_shows_the_discussions_of_my_registered_address(client, resident, placed):
    client.force_login(resident)
    page = client.get("/discussions/").content.decode()
    assert "Show the discussions whose territory includes ул. Западная, д. 1" in page
    page = client.get("/discussions/?my_address=1").content.decode()
    assert _titles(page, placed) == {"Сквер у дома"}
    assert "Show all discussions" in page


def test_cabinet_lists_the_discussions_of_my_registered_address(client, resident, placed):
    client.force_login(resident)
    page = client.get("/cabinet/").content.decode()
    assert "Discussions that concern my address" in page
    assert _titles(page, placed) == {"Сквер у дома"}
    assert client.get("/discussions/my-address/")["Location"] == "/discussions/?my_address=1"


def test_without_a_verified_address_the_person_is_told_why(client, placed):
    client.force_login(UserFactory())
    page = client.get("/discussions/?my_address=1").content.decode()
    assert "Your verified identity has no registered address in the city" in page
    assert _titles(page, placed) == {"Сквер у дома", "Восточный квартал", "Соседний квартал"}


def test_building_page_names_the_discussions_whose_territory_covers_it(
    client, placed, west_home, east_home
):
    page = client.get(f"/geo/buildings/{west_home.pk}/").content.decode()
    assert "Public discussions whose territory covers this building" in page
    assert _titles(page, placed) == {"Сквер у дома"}
    page = client.get(f"/geo/buildings/{east_home.pk}/").content.decode()
    assert _titles(page, placed) == {"Восточный квартал"}
