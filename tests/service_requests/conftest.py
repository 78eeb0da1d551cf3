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
