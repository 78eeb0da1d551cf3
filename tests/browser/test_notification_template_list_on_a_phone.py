"""The notification template list on a 390 px phone in Russian, Tatar and English: each event
is a card with one line per language (the table stacks), so neither the page nor the table
scrolls sideways, and every language's link stays readable; screenshots kept with the test."""

from __future__ import annotations

import pytest
from django.utils import translation

from cityhall.notifications import services
from tests.browser.support import PHONE, sign_in
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = """() => {
  const wide = [document.documentElement, ...document.querySelectorAll('.table-wrap')]
    .filter((el) => el.scrollWidth > el.clientWidth + 1);
  return wide.map((el) => el.className || el.tagName);
}"""


def test_the_template_list_reflows_on_a_phone_in_every_language(
    new_context, client, live_server, settings, tmp_path
):
    settings.STAFF_REQUIRE_OTP = False
    services.sync_templates()
    admin = MembershipFactory(organisation=OrganisationFactory(), role="administrator").user
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone.context, client, admin, live_server)
    for language in ("ru", "tt", "en"):
        with translation.override(language):
            tatar = str(translation.gettext("Tatar"))
        phone.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        phone.goto(live_server.url + "/notifications/staff/templates/")
        assert phone.evaluate(NO_SIDEWAYS_SCROLL) == [], f"sideways scroll in {language}"
        first = phone.locator("table tbody tr").first
        # a card: the event's name above its language lines, not a column squeezed beside them
        heading, link = (
            first.locator("th").bounding_box(),
            first.locator("td").nth(1).bounding_box(),
        )
        assert link["y"] >= heading["y"] + heading["height"] - 1
        assert link["width"] > PHONE["width"] / 2
        assert tatar in first.locator("td").nth(1).inner_text()
        phone.screenshot(path=str(tmp_path / f"template-list-{language}.png"), full_page=False)
