"""Fixtures of the discussion tests: a two-district city, an organiser council and its staff."""

from __future__ import annotations

import pytest

from cityhall.accounts.models import Role
from tests.factories import OrganisationFactory
from tests.geo.factories import BuildingFactory, make_city

from .factories import DiscussionFactory, staff_with_role, verified_person


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_REQUIRE_OTP = False


@pytest.fixture
def city(db):
    return make_city()


@pytest.fixture
def west_home(city):
    return BuildingFactory(street="ул. Западная", house="1", lat=55.78, lon=49.05)


@pytest.fixture
def east_home(city):
    return BuildingFactory(street="ул. Восточная", house="2", lat=55.78, lon=49.15)


@pytest.fixture
def council(db):
    return OrganisationFactory(council=True, name="Городская Дума")


@pytest.fixture
def organiser(council):
    return staff_with_role(Role.ORGANISER, council, username="organiser1")


@pytest.fixture
def moderator(council):
    return staff_with_role(Role.MODERATOR, council, username="moderator1")


@pytest.fixture
def expert(council):
    return staff_with_role(Role.EXPERT, council, username="expert1")


@pytest.fixture
def discussion(city, council):
    """Open for proposals; the territory is the west district."""
    return DiscussionFactory(organiser=council, districts=[city.west])


@pytest.fixture
def resident(west_home):
    # A surname no generated name shares: tests assert it never reaches public files.
    return verified_person(west_home, username="resident1", last_name="Khaziakhmetova")


@pytest.fixture
def outsider(east_home):
    return verified_person(east_home, username="outsider1")


# The browser suite's fixtures (one Chromium per session), for these pages' axe checks.
from tests.browser.conftest import (  # noqa: E402, F401
    _desktop_tab,
    _no_script_tab,
    _phone_tab,
    browser,
    new_context,
    no_script_page,
    page,
    phone_page,
)
