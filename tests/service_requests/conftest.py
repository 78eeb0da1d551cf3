from __future__ import annotations

import pytest

from .factories import World, make_world


@pytest.fixture
def world(db, settings) -> World:
    settings.STAFF_REQUIRE_OTP = False
    return make_world()
