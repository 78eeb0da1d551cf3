"""The notification template pages name each event in the reader's language: every event's
description is translated into Russian and Tatar, so the list read in ru or tt shows no English
description (they were plain English strings before); English readers keep the English."""

from __future__ import annotations

import re

import pytest

from cityhall.notifications import services
from cityhall.notifications.events import declared_events
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ROW_HEADING = re.compile(r'<th scope="row">([^<]*)</th>')


def test_the_templates_pages_name_every_event_in_russian_and_tatar(client, settings):
    settings.STAFF_REQUIRE_OTP = False
    services.sync_templates()
    admin = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    client.force_login(admin)
    for language in ("ru", "tt"):
        client.cookies["django_language"] = language
        page = client.get("/notifications/staff/templates/").content.decode()
        shown = ROW_HEADING.findall(page)
        assert len(shown) == len(declared_events()) > 20
        untranslated = [text for text in shown if text.isascii()]
        assert not untranslated, f"English event descriptions in {language}: {untranslated}"
    client.cookies["django_language"] = "en"
    page = client.get("/notifications/staff/templates/").content.decode()
    assert "A resident&#x27;s request was received" in ROW_HEADING.findall(page)
