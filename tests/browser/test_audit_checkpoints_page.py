"""The audit checkpoints page with checkpoints listed: accessible on a desktop and a phone (the
long hashes wrap, no sideways scrolling), and readable without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest

from cityhall.core import audit
from cityhall.core.audit_checkpoints import take_checkpoint

from .support import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checkpoints():
    for day in (1, 2):
        audit.record(actor=None, action="thing.changed", object_type="tests.thing", object_id=day)
        take_checkpoint(day=dt.date(2026, 1, day))


def test_checkpoints_page_is_accessible_on_desktop_and_phone(
    checkpoints, page, phone_page, live_server
):
    for tab in (page, phone_page):
        tab.goto(live_server.url + "/audit/checkpoints/")
        assert tab.locator("tbody tr").count() == 2
        width = tab.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"scrolls sideways: {width}"
        assert_accessible(tab)
    page.screenshot(path="/tmp/audit-checkpoints.png", full_page=True)


def test_checkpoints_page_works_without_javascript(checkpoints, no_script_page, live_server):
    no_script_page.goto(live_server.url + "/audit/checkpoints/")
    assert no_script_page.locator("main h1").inner_text() == "Audit trail checkpoints"
    assert no_script_page.locator("tbody tr").count() == 2
