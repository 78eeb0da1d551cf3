"""Issue 16 items 4, 5, 7 and 11 in Chromium: the pages they add or change pass axe in ru, tt
and en on a desktop and a phone; the earlier reports appear before submitting with JavaScript
(fetched as the address is typed) and without it (the form's step)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from cityhall.accounts.models import Membership
from cityhall.service_requests import services
from cityhall.service_requests.models import Escalation, ServiceRequest, Stage
from tests.browser.support import assert_accessible, sign_in
from tests.factories import MembershipFactory

from .factories import submit

pytestmark = pytest.mark.browser


def _late(request) -> None:
    past = timezone.now() - dt.timedelta(hours=1)
    Stage.objects.filter(request=request).update(due_at=past)
    ServiceRequest.objects.filter(pk=request.pk).update(stage_due_at=past)


def _pages(world):
    # 16.4: an overdue request, and a warning nobody could receive (on the board).
    world.manager.head = None
    world.manager.save(update_fields=["head"])
    Membership.objects.filter(organisation=world.committee, role="dispatcher").delete()
    late = submit(world, description="Water drips from the ceiling")
    _late(late)
    services.sweep_overdue()
    services.send_escalation_notices()
    assert Escalation.objects.filter(unreached=True).exists()  # the board's warning
    dispatcher = MembershipFactory(organisation=world.committee, role="dispatcher").user
    # 16.5: an allowed handover; 16.11: a private and a redacted description.
    services.allow_handover(actor=dispatcher, organisation=world.manager, partner=world.supplier)
    private = submit(world, description="Flat 57", description_private=True)
    services.moderate_description(
        request=late, actor=dispatcher, action="redact", redacted="Water drips", reason="Flat"
    )
    return [
        (None, f"/requests/{late.pk}/"),
        (None, f"/requests/{private.pk}/"),
        (world.resident, f"/requests/t/{private.public_token}/"),
        (None, "/requests/new/"),
        (dispatcher, "/requests/staff/board/"),
        (dispatcher, "/requests/staff/handovers/"),
        (dispatcher, f"/requests/staff/{late.pk}/"),
        (world.executor, f"/requests/staff/{late.pk}/"),
    ]


@pytest.mark.parametrize("tab_fixture", ["page", "phone_page"])
def test_the_changed_request_pages_pass_axe_in_every_language(
    request, tab_fixture, world, client, live_server
):
    tab = request.getfixturevalue(tab_fixture)
    pages = _pages(world)
    for language in ("ru", "tt", "en"):
        for user, path in pages:
            tab.context.clear_cookies()
            tab.context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
            if user is not None:
                sign_in(tab.context, client, user, live_server)
            response = tab.goto(live_server.url + path)
            assert response is not None and response.status == 200, f"{path}: {response.status}"
            assert tab.locator("html").get_attribute("lang") == language
            for summary in tab.locator("details > summary").all():
                summary.click()  # the moderation form too
            if tab_fixture == "phone_page":
                width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                assert width <= screen, f"{path} ({language}) scrolls sideways on a phone"
            assert_accessible(tab)


def test_earlier_reports_appear_as_the_address_is_typed(page, world, live_server):
    first = submit(world)
    page.goto(live_server.url + "/requests/new/")
    box = page.locator("#earlier-reports")
    assert box.is_hidden()
    assert page.locator(".questions-step").count() == 0  # the steps are for no JavaScript
    page.select_option("#id_category", "leak")
    page.fill("#id_address", "ул. Баумана, 5")
    page.locator("#id_address").blur()
    box.wait_for(state="visible")
    assert first.number in box.inner_text()
    assert_accessible(page)
    page.select_option("#id_category", "heating")
    box.wait_for(state="hidden")
    assert ServiceRequest.objects.count() == 1


def test_earlier_reports_on_the_step_without_javascript(no_script_page, world, live_server):
    first = submit(world)
    tab = no_script_page
    tab.goto(live_server.url + "/requests/new/")
    tab.select_option("#id_category", "leak")
    tab.fill("#id_address", "ул. Баумана, 5")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Check for earlier reports at this address").click()
    assert first.number in tab.locator("#earlier-reports").inner_text()
    assert tab.locator("#id_address").input_value() == "ул. Баумана, 5"  # kept
    assert ServiceRequest.objects.count() == 1
