"""Issue 16 items 1 and 2 walked in Chromium: the call-centre operator is prompted with the
chosen category's questions and registers "people stuck in a lift" (with JavaScript); a
resident reports the same without JavaScript through the form's two steps, seeing only the
chosen category's questions."""

from __future__ import annotations

import pytest

from cityhall.service_requests.models import Channel, ServiceRequest
from tests.browser.support import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def _fill(tab) -> None:
    tab.fill("#id_address", "ул. Баумана, 5")
    tab.fill("#id_description", "Лифт встал между этажами")
    tab.fill("#id_contact_phone", "+79007770000")
    tab.fill("#id_contact_name", "Иван")


def test_the_operator_registers_a_stuck_lift_answering_its_question(
    page, world, client, live_server
):
    sign_in(page.context, client, world.operator, live_server)
    page.goto(live_server.url + "/requests/staff/call-centre/")
    lift = page.locator("#questions-lift")
    assert lift.is_hidden()  # no category chosen yet: no questions
    page.select_option("#id_category", "lift")
    lift.wait_for(state="visible")  # prompted at once with the category's question
    assert "Is anybody stuck inside?" in lift.inner_text()
    assert_accessible(page)
    _fill(page)
    lift.get_by_label("Is anybody stuck inside?").select_option("yes")
    with page.expect_navigation():
        page.get_by_role("button", name="Register the request").click()
    created = ServiceRequest.objects.get()
    assert created.channel == Channel.OPERATOR
    assert created.attributes == {"people_inside": "yes"}


def test_a_resident_reports_in_two_steps_without_javascript(
    no_script_page, world, client, live_server
):
    tab = no_script_page
    sign_in(tab.context, client, world.resident, live_server)
    tab.goto(live_server.url + "/requests/new/")
    assert tab.locator("fieldset[data-category]:visible").count() == 0  # no stars yet
    tab.select_option("#id_category", "lift")
    _fill(tab)
    with tab.expect_navigation():
        tab.get_by_role("button", name="Show the questions for this category").click()
    shown = tab.locator("fieldset[data-category]:visible")
    assert shown.count() == 1 and shown.get_attribute("data-category") == "lift"
    assert tab.locator("#id_address").input_value() == "ул. Баумана, 5"  # kept
    tab.locator("#questions-lift").get_by_label("Is anybody stuck inside?").select_option("no")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Send the request").click()
    created = ServiceRequest.objects.get()
    assert created.channel == Channel.WEB and created.attributes == {"people_inside": "no"}
