import pytest


@pytest.fixture(autouse=True)
def _staff_without_second_factor(settings):
    """Sessions in these tests log in directly; the second factor is tested in accounts."""
    settings.STAFF_REQUIRE_OTP = False
