"""The accounts pages pass axe (WCAG 2.2 A/AA) on a desktop and a phone, and the sign-in with
a second factor works in a real browser without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.accounts import services
from cityhall.accounts.models import Authenticator, Role, VerifiedIdentity
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import attributes, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.timeout(120)]


def _open(tab, live_server, path: str, status: int = 200) -> None:
    response = tab.goto(live_server.url + path)
    assert response is not None and response.status == status, f"{path}: {response.status}"
    expect(tab.locator("main h1")).to_be_visible()


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
@pytest.mark.parametrize(
    "path",
    [
        "/accounts/register/",
        "/accounts/confirm/",
        "/accounts/password/reset/",
        "/accounts/password/reset/code/",
    ],
)
def test_public_accounts_pages(request, tab_fixture, live_server, path):
    tab = request.getfixturevalue(tab_fixture)
    _open(tab, live_server, path)
    assert_accessible(tab)


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
def test_profile_of_a_verified_resident(request, tab_fixture, client, live_server):
    tab = request.getfixturevalue(tab_fixture)
    person = UserFactory()
    services.apply_verification(
        person=person,
        attributes=attributes(),
        method=VerifiedIdentity.Method.OIDC,
        actor=None,
    )
    sign_in(tab.context, client, person, live_server)
    _open(tab, live_server, "/accounts/profile/")
    assert "*******456" in tab.locator("main").inner_text()
    assert_accessible(tab)
    _open(tab, live_server, "/accounts/password/change/")
    assert_accessible(tab)
    _open(tab, live_server, "/accounts/tokens/")
    tab.fill("#id_name", "my script")
    tab.check("input[name=scopes][value=read]")
    tab.click("main form.form button[type=submit]")
    assert tab.locator("#new-token").inner_text().startswith("ch_")
    assert_accessible(tab)


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
def test_staff_desks(request, tab_fixture, client, live_server, settings):
    settings.STAFF_REQUIRE_OTP = False
    tab = request.getfixturevalue(tab_fixture)
    centre = OrganisationFactory(service_centre=True)
    staff = MembershipFactory(organisation=centre, role=Role.ADMINISTRATOR).user
    MembershipFactory(user=staff, organisation=centre, role=Role.OPERATOR)
    resident = UserFactory(last_name="Закирова")
    sign_in(tab.context, client, staff, live_server)
    _open(tab, live_server, "/accounts/staff/people/")
    assert_accessible(tab)
    _open(tab, live_server, f"/accounts/verify/?q=Закирова&person={resident.pk}")
    assert_accessible(tab)


def _password_step(tab, live_server, username: str, password: str) -> None:
    tab.goto(live_server.url + "/accounts/login/")
    tab.locator("main input[autocomplete=username]").fill(username)
    tab.locator("main input[type=password]").fill(password)
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()


def test_staff_sign_in_with_enrolment_and_code_without_javascript(
    no_script_page, page, live_server, password
):
    disp = MembershipFactory(role=Role.DISPATCHER, user__username="disp").user
    executor = MembershipFactory(role=Role.EXECUTOR, user__username="exec").user
    issuer = UserFactory(is_superuser=True)
    tab = no_script_page
    _password_step(tab, live_server, "disp", password)
    assert tab.url.startswith(live_server.url + "/accounts/login/authenticator/")
    # first the enrolment code the administrator issued, then the QR code
    tab.locator("main input[name=enrolment_code]").fill(
        services.issue_enrolment_code(actor=issuer, user=disp)
    )
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()
    expect(tab.locator("main svg.qr-code")).to_be_visible()
    device = Authenticator.objects.get(user__username="disp")
    tab.locator("main input[autocomplete=one-time-code]").fill(totp_code(device))
    with tab.expect_navigation():
        tab.locator("main button[type=submit]").click()
    assert tab.url == live_server.url + "/cabinet/"

    # the enrolment and the code pages pass axe (JavaScript on, for axe itself)
    _password_step(page, live_server, "exec", password)
    assert page.url.startswith(live_server.url + "/accounts/login/authenticator/")
    assert_accessible(page)
    page.locator("main input[name=enrolment_code]").fill(
        services.issue_enrolment_code(actor=issuer, user=executor)
    )
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    expect(page.locator("main svg.qr-code")).to_be_visible()
    assert_accessible(page)
    page.context.clear_cookies()
    _password_step(page, live_server, "disp", password)
    assert page.url.startswith(live_server.url + "/accounts/login/code/")
    assert_accessible(page)
