"""The pages of issue 20.7–20.10 in Chromium, in Russian, Tatar and English: the verification
desk's address warning and correction, verifying an organisation, importing a verification
register (the upload works without JavaScript) and its report, and the proposal form's choice
of capacity. Each passes axe (WCAG 2.2 A/AA)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cityhall.accounts.models import Membership, Role, VerifiedIdentity
from tests.browser.conftest import new_context  # noqa: F401
from tests.browser.support import assert_accessible, sign_in
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import MembershipFactory, OrganisationFactory
from tests.geo.factories import BuildingFactory, make_city

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

CSV = (
    "last_name;first_name;middle_name;birth_date;document_number;portal_id;"
    "registered_address;phone;email\n"
    "Сафина;Алия;;1990-02-03;9210 654321;;ул. Короленко, д. 32, кв. 126;;aliya@example.org\n"
)
HEADINGS = {
    "ru-RU": ("Подтверждение организаций", "Реестры для подтверждения личности"),
    "tt-RU": ("Оешмаларны раслау", "Шәхесне раслау реестрлары"),
    "en-GB": ("Verifying organisations", "Verification registers"),
}


@pytest.mark.parametrize("locale", sorted(HEADINGS))
def test_participation_desks_in_each_language(
    locale,
    new_context,  # noqa: F811
    client,
    live_server,
    settings,
    tmp_path,  # noqa: F811
):
    settings.STAFF_REQUIRE_OTP = False
    make_city()
    home = BuildingFactory(street="ул. Короленко", house="32", lat=55.78, lon=49.05)
    centre = OrganisationFactory(service_centre=True)
    staff = MembershipFactory(organisation=centre, role=Role.ADMINISTRATOR).user
    MembershipFactory(user=staff, organisation=centre, role=Role.OPERATOR)
    unmatched = verified_person(None, username="unmatched")
    VerifiedIdentity.objects.filter(user=unmatched).update(registered_address="ул. Нет, д. 1")
    company = OrganisationFactory(legal_entity=True, name="ООО «Ромашка»", inn="1655012345")

    tab = new_context(locale=locale).new_page()
    sign_in(tab.context, client, staff, live_server)
    organisation_heading, register_heading = HEADINGS[locale]

    tab.goto(f"{live_server.url}/accounts/verify/?person={unmatched.pk}")
    expect(tab.locator("#id_address-registered_address")).to_be_visible()
    assert_accessible(tab)
    tab.fill("#id_address-registered_address", "Короленко 32, кв 5")
    tab.locator("input[name=action][value=address] ~ button").click()
    tab.wait_for_load_state()
    assert VerifiedIdentity.objects.get(user=unmatched).registered_building == home

    tab.goto(f"{live_server.url}/accounts/verify/organisations/?organisation={company.pk}")
    assert tab.locator("main h1").inner_text() == organisation_heading
    assert_accessible(tab)
    tab.screenshot(path=str(tmp_path / f"organisation-{locale}.png"), full_page=True)

    tab.goto(f"{live_server.url}/accounts/verify/registers/")
    assert tab.locator("main h1").inner_text() == register_heading
    assert_accessible(tab)
    upload = tmp_path / "register.csv"
    upload.write_text(CSV, encoding="utf-8")
    tab.set_input_files("#id_file", str(upload))
    tab.locator("main form.form button[type=submit]").click()
    tab.wait_for_load_state()
    assert "/accounts/verify/registers/" in tab.url
    assert_accessible(tab)
    tab.screenshot(path=str(tmp_path / f"register-{locale}.png"), full_page=True)

    representative = verified_person(home, username="rep", business=True)
    Membership.objects.create(user=representative, organisation=company, role=Role.REPRESENTATIVE)
    company.building = home
    company.verified_at = timezone.now()
    company.save()
    plan = DiscussionFactory(title="Генеральный план")
    tab.context.clear_cookies()
    sign_in(tab.context, client, representative, live_server)
    tab.goto(f"{live_server.url}/discussions/{plan.pk}/propose/")
    assert tab.locator("input[name=on_behalf]").count() == 2
    assert_accessible(tab)
