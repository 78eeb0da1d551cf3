"""Pages behind sign-in pass axe too, on desktop and phone: a resident's pages (add new ones to
RESIDENT_PAGES) and the staff workspace."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.accounts.models import Role
from tests.factories import MembershipFactory, UserFactory

from .support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_without_otp(settings):
    settings.STAFF_REQUIRE_OTP = False


def _open(tab, live_server, path: str, status: int = 200) -> None:
    response = tab.goto(live_server.url + path)
    assert response is not None and response.status == status, f"{path}: {response.status}"
    expect(tab.locator("main h1")).to_be_visible()


RESIDENT_PAGES = [
    "/cabinet/",
    "/accounts/profile/",
    "/notifications/",
    "/notifications/preferences/",
    "/discussions/initiate/",
    "/requests/mine/",
    "/services/my/",
]


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
@pytest.mark.parametrize("path", RESIDENT_PAGES)
def test_resident_page(request, tab_fixture, path, client, live_server):
    tab = request.getfixturevalue(tab_fixture)
    sign_in(tab.context, client, UserFactory(first_name="Gulnara"), live_server)
    _open(tab, live_server, path)
    assert "Sign out" in tab.locator("header").inner_text()
    if tab_fixture == "phone_page":
        width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= screen, f"{path} scrolls sideways on a phone ({width}px > {screen}px)"
    assert_accessible(tab)


@pytest.mark.usefixtures("staff_without_otp")
@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
def test_staff_workspace(request, tab_fixture, client, live_server):
    tab = request.getfixturevalue(tab_fixture)
    member = MembershipFactory(role=Role.OPERATOR)
    sign_in(tab.context, client, member.user, live_server)
    _open(tab, live_server, "/staff/")
    assert_accessible(tab)


@pytest.mark.usefixtures("staff_without_otp")
def test_access_denied_page(page, client, live_server):
    sign_in(page.context, client, UserFactory(staff=True), live_server)
    _open(page, live_server, "/staff/", status=403)
    assert_accessible(page)


def test_signing_in_through_the_form(no_script_page, live_server, password):
    UserFactory(username="timur", email="timur@example.org")
    tab = no_script_page
    tab.goto(live_server.url + "/cabinet/")
    assert "/accounts/login/" in tab.url
    tab.locator("main input[autocomplete=username]").fill("timur")
    tab.locator("main input[type=password]").fill(password)
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()
    assert tab.url == live_server.url + "/cabinet/"
    expect(tab.locator("main h1")).to_be_visible()
