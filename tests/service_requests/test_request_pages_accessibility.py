"""The request pages with real content pass axe (WCAG 2.2 AA) on a desktop and on a phone,
without sideways scrolling: the resident's, the public ones and the staff desks."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.service_requests import services
from tests.browser.support import assert_accessible, sign_in

from .factories import photo, submit

pytestmark = pytest.mark.browser


def _pages(world):
    done = submit(world, photos=[photo()])  # a private photo: the cabinet's and staff lists
    services.transition(request=done, actor=world.executor, to="accepted")
    services.add_comment(request=done, author=world.executor, text="Coming at 10 tomorrow")
    services.transition(request=done, actor=world.executor, to="done", report="Roof patched")
    open_one = submit(  # a public photo: the public list and the staff page's visibility form
        world, category=world.lift, attributes={"people_inside": "no"}, photos=[photo()],
        photos_public=True,
    )  # fmt: skip
    submit(world, building=world.orphan_building)
    services.recompute_ratings()
    services.rebuild_daily_stats()
    return [
        (None, f"/requests/{open_one.pk}/"),
        (None, "/requests/new/"),
        (None, "/requests/map/"),
        (None, "/requests/"),
        (world.resident, "/requests/mine/"),
        (world.dispatcher, f"/requests/staff/{open_one.pk}/"),
        (None, f"/requests/organisations/{world.manager.pk}/"),
        (world.resident, f"/requests/t/{done.public_token}/"),
        (world.executor, f"/requests/staff/{open_one.pk}/"),
        (world.executor, "/requests/staff/queue/"),
        (world.dispatcher, "/requests/staff/board/"),
        (world.dispatcher, "/requests/staff/reports/?by=category"),
        (world.operator, f"/requests/staff/call-centre/?phone={world.resident.phone}"),
    ]


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
def test_request_pages_are_accessible(request, tab_fixture, world, client, live_server):
    tab = request.getfixturevalue(tab_fixture)
    for user, path in _pages(world):
        tab.context.clear_cookies()
        if user is not None:
            sign_in(tab.context, client, user, live_server)
        response = tab.goto(live_server.url + path)
        assert response is not None and response.status == 200, f"{path}: {response.status}"
        assert tab.locator("main h1").count() == 1, path
        if tab_fixture == "phone_page":
            width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            assert width <= screen, f"{path} scrolls sideways on a phone ({width} > {screen})"
        assert_accessible(tab)


def test_the_web_form_works_without_javascript(no_script_page, world, live_server):
    from cityhall.service_requests.models import ServiceRequest

    tab = no_script_page
    tab.goto(live_server.url + "/requests/new/")
    tab.select_option("#id_category", "leak")
    tab.fill("#id_address", "Баумана")
    tab.fill("#id_description", "Water on the stairs")
    tab.fill("#id_contact_phone", "+79005551234")
    tab.get_by_label("Show my photos to everyone").check()
    with tab.expect_navigation():
        tab.locator("form.form button.send").click()
    # Two buildings match: choose one from the list the server offers (and attach the photo:
    # a browser sends a file once).
    tab.check(f"input[name=building][value='{world.other_building.pk}']")
    assert tab.get_by_label("Show my photos to everyone").is_checked()
    tab.set_input_files("#id_photos", files=[{"name": "leak.png", "mimeType": "image/png",
                                               "buffer": photo().read()}])  # fmt: skip
    with tab.expect_navigation():
        tab.locator("form.form button.send").click()
    created = ServiceRequest.objects.get()
    assert created.building == world.other_building
    assert created.photos.get().stored.visibility == "public"
    assert tab.url.endswith(f"/requests/t/{created.public_token}/")
    assert created.number in tab.locator("main h1").inner_text()


def test_the_call_centre_answers_the_categorys_questions_without_javascript(
    no_script_page, world, client, live_server
):
    """Issue 16.1/16.2: choose the category, show its questions (the form's first step), answer
    "anyone inside?" and register."""
    from cityhall.service_requests.models import ServiceRequest

    tab = no_script_page
    sign_in(tab.context, client, world.operator, live_server)
    tab.goto(live_server.url + "/requests/staff/call-centre/?phone=89007770000")
    assert tab.locator("#questions-lift").is_hidden()
    tab.select_option("#id_category", "lift")
    tab.fill("#id_address", "ул. Баумана, 5")
    tab.fill("#id_description", "Two people stuck between floors")
    tab.fill("#id_contact_name", "Ivan")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Show the questions for this category").click()
    expect(tab.locator("#questions-lift")).to_be_visible()
    assert tab.input_value("#id_description") == "Two people stuck between floors"

    tab.select_option("#q-lift-people_inside", "yes")
    with tab.expect_navigation():
        tab.locator("form.form button.send").click()
    created = ServiceRequest.objects.get()
    assert created.attributes == {"people_inside": "yes"}
    assert created.contact_phone == "+79007770000"
    assert "phone=%2B79007770000" in tab.url


def test_the_report_form_reveals_the_chosen_categorys_questions_in_place(page, world, live_server):
    page.goto(live_server.url + "/requests/new/")
    assert page.locator("#questions-lift").is_hidden()
    assert page.get_by_role("button", name="Show the questions for this category").count() == 0
    page.select_option("#id_category", "lift")
    expect(page.locator("#questions-lift")).to_be_visible()
    assert "112" in page.locator(".emergency-guidance").inner_text()
    assert_accessible(page)
    page.select_option("#id_category", "leak")
    assert page.locator("#questions-lift").is_hidden()
