from __future__ import annotations

import pytest

from cityhall.service_requests.services import forget_catalogue

from .factories import World, make_world


@pytest.fixture(autouse=True)
def _fresh_catalogue_cache():
    forget_catalogue()
    yield
    forget_catalogue()


@pytest.fixture
def world(db, settings) -> World:
    settings.STAFF_REQUIRE_OTP = False
    return make_world()
