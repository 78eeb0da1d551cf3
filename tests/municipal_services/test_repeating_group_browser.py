"""The repeating group in Chromium with the keyboard only (issue 15): the administrator adds
"Rooms" and the fields of each room on the designer's pages; a resident adds two rooms with
"add another" and removes one, in the page (no page load, focus and the status line follow),
and saves exactly the rows shown, in order. axe checks the group's
designer page and the applicant's form; both are also read in ru and tt."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.municipal_services import services
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .designer_steps import build_office_permit, land_registry
from .factories import Department
from .test_service_designer_browser import SHOTS, _choose, _press, _tick, _type

pytestmark = pytest.mark.browser


@pytest.fixture
def dept(transactional_db):
    department = Department()
    department.admin = MembershipFactory(organisation=department.org, role="administrator").user
    land_registry(OrganisationFactory(name="Rosreestr"))
    return department


def _language(page, live_server, code: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": code, "url": live_server.url}])


def _in_page(page, name: str) -> None:
    """Press a button with the keyboard where it acts in the page (no form is submitted)."""
    page.get_by_role("button", name=name, exact=True).focus()
    page.keyboard.press("Enter")


def test_a_repeating_group_built_and_answered_with_the_keyboard(page, client, live_server, dept):
    client.force_login(dept.admin)
    service = build_office_permit(client, dept.org)
    sign_in(page.context, client, dept.admin, live_server)
    _language(page, live_server, "en")
    v1 = f"{live_server.url}/staff/services/{service.code}/v1"
    page.goto(f"{v1}/fields/")
    _choose(page, "#id_kind", "group")
    _type(page, "#id_label_ru", "Помещения")
    _type(page, "#id_label_en", "Rooms")
    _type(page, "#id_item_label_ru", "Помещение")
    _type(page, "#id_item_label_en", "Room")
    _type(page, "#id_max_items", "3")
    _press(page, "Add the field")
    page.get_by_role("link", name="the fields of each item").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for kind, ru, en in (("text", "Название", "Name"), ("number", "Площадь", "Area")):
        _choose(page, "#id_kind", kind)
        _type(page, "#id_label_ru", ru)
        _type(page, "#id_label_en", en)
        if kind == "text":
            _tick(page, "#id_required")
        _press(page, "Add the field")
        assert "Saved." in page.locator("main").inner_text()
    assert_accessible(page)
    for code in ("ru", "tt"):
        _language(page, live_server, code)
        page.goto(f"{v1}/fields/rooms/items/")
        assert "Помещения" in page.get_by_role("heading", level=1).inner_text()
        assert_accessible(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/group-designer-{code}.png", full_page=True)
    version = service.versions.get()
    services.publish_version(actor=dept.admin, version=version)

    resident = UserFactory()
    application = services.start_application(actor=resident, service=service)
    sign_in(page.context, client, resident, live_server)
    _language(page, live_server, "en")
    page.goto(f"{live_server.url}/services/applications/{application.pk}/edit/")
    # "add another" and "remove" act in the page: this mark would not survive a page load
    page.evaluate("window.sameDocument = true")
    _type(page, "#f-rooms-0-name", "Hall")
    _in_page(page, "Add another: Rooms")
    expect(page.locator("#f-rooms-1-name")).to_be_focused()  # the new row's first field
    page.keyboard.type("Office")
    page.keyboard.press("Tab")
    page.keyboard.type("80")
    _in_page(page, "Add another: Rooms")
    expect(page.locator("#f-rooms-2-name")).to_be_focused()
    page.keyboard.type("Store")
    status = page.locator("#f-rooms [role=status]")
    expect(status).to_have_text("Added: Room 3")
    # three rooms at most: "add another" is gone, each row offers "remove"
    expect(page.get_by_role("button", name="Add another: Rooms")).to_be_hidden()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/group-form.png", full_page=True)
    _in_page(page, "Remove Room 2")
    expect(status).to_have_text("Removed: Room 2")
    expect(page.locator("#f-rooms-0-name")).to_be_focused()  # the row before
    assert page.locator("#f-rooms-1-name").input_value() == "Store"  # renumbered
    assert page.locator("#f-rooms-2-name").count() == 0
    expect(page.get_by_role("button", name="Add another: Rooms")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
    _press(page, "Save draft")
    application.refresh_from_db()
    assert application.answers["rooms"] == [{"name": "Hall"}, {"name": "Store"}]
    for code in ("ru", "tt"):
        _language(page, live_server, code)
        page.reload()
        assert page.locator("#f-rooms-1-name").input_value() == "Store"
        assert_accessible(page)
