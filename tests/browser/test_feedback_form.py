"""The feedback form in a real browser: errors beside the fields, a ticket number on success."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cityhall.accounts.models import Role
from cityhall.portal.models import SupportTicket
from tests.factories import MembershipFactory

from .support import assert_accessible

pytestmark = pytest.mark.browser


def test_empty_form_shows_an_error_beside_each_required_field(page, live_server):
    page.goto(live_server.url + "/feedback/")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    expect(page.locator("#error-summary")).to_be_visible()
    for field in ("name", "email", "message"):
        control = page.locator(f"#id_{field}")
        assert control.get_attribute("aria-invalid") == "true"
        assert f"id_{field}_error" in (control.get_attribute("aria-describedby") or "")
        assert page.locator(f"#id_{field}_error").inner_text().strip()
    assert SupportTicket.objects.count() == 0
    assert_accessible(page)

    # The summary links each error to its field.
    page.locator("#error-summary a[href='#id_message']").click()
    assert page.evaluate("document.activeElement.id") == "id_message"


def test_filled_form_gives_a_ticket_number(page, live_server):
    MembershipFactory(role=Role.ADMINISTRATOR)  # someone to be told about the ticket

    page.goto(live_server.url + "/feedback/?from=/cabinet/")
    page.get_by_label("Your name").fill("Ilnur Khasanov")
    page.get_by_label("E-mail for the answer").fill("ilnur@example.org")
    page.get_by_label("Topic").select_option("accessibility")
    page.get_by_label("Message").fill("The contrast of the footer links is too low for me.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()

    ticket = SupportTicket.objects.get()
    assert ticket.topic == "accessibility" and ticket.page_url == "/cabinet/"
    assert page.locator("main strong").inner_text() == ticket.number
    assert re.fullmatch(r"TS-\d{4}-\d{6}", ticket.number)
    assert_accessible(page)


def test_form_is_sent_with_javascript_disabled(no_script_page, live_server):
    tab = no_script_page
    tab.goto(live_server.url + "/feedback/")
    tab.get_by_label("Your name").fill("Roza Minnullina")
    tab.get_by_label("E-mail for the answer").fill("roza@example.org")
    tab.get_by_label("Message").fill("Where can I see the schedule of public hearings?")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Send").click()

    assert SupportTicket.objects.get().name == "Roza Minnullina"
    assert SupportTicket.objects.get().number in tab.locator("main").inner_text()
