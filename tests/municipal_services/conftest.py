import pytest


@pytest.fixture(autouse=True)
def _staff_without_second_factor(settings):
    """Sessions in these tests log in directly; the second factor is tested in accounts."""
    settings.STAFF_REQUIRE_OTP = False


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
