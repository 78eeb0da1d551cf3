"""Issue 16 items 27 and 28 in Chromium: the information pages in ru/tt/en pass axe and reflow at
320 px; the discussion page and the profile reflow at 320 px; the discussions list reaches
its first discussion in a few Tab presses through the skip link past the filters."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.discussions.models import Status
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.geo.factories import BuildingFactory, make_city

from .support import assert_accessible, sign_in

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 700}
INFORMATION_PAGES = ["/accessibility/", "/privacy/", "/help/", "/contacts/"]


def _tab(new_context, live_server, language: str, **options):
    context = new_context(viewport=NARROW, **options)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context.new_page()


def _fits(tab, path: str) -> None:
    width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"{path} scrolls sideways at {screen}px ({width}px wide)"


@pytest.mark.parametrize("language", ["ru", "tt", "en"])
def test_information_pages_pass_axe_and_reflow_at_320_px(new_context, live_server, language):
    tab = _tab(new_context, live_server, language)
    for path in INFORMATION_PAGES:
        response = tab.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        assert tab.locator("html").get_attribute("lang") == language
        expect(tab.locator("main h1")).to_be_visible()
        _fits(tab, path)
        assert_accessible(tab)
    # Linked from every page's footer.
    tab.goto(live_server.url + "/")
    for path in INFORMATION_PAGES:
        assert tab.locator(f'footer a[href="{path}"]').count() == 1


def test_discussion_page_reflows_at_320_px(new_context, live_server):
    city = make_city()
    discussion = DiscussionFactory(
        districts=[city.west],
        status=Status.EXPOSITION_OPEN,
        title="Проект внесения изменений в Генеральный план городского округа «город Казань»",
    )
    discussion.territory_description = "Городской округ «город Казань», Авиастроительный район"
    discussion.save(update_fields=["territory_description"])
    for language in ("ru", "tt", "en"):
        tab = _tab(new_context, live_server, language)
        tab.goto(live_server.url + f"/discussions/{discussion.pk}/")
        _fits(tab, f"/discussions/{discussion.pk}/ ({language})")
    assert_accessible(tab)


def test_profile_reflows_at_320_px(new_context, live_server, client):
    make_city()
    person = verified_person(
        BuildingFactory(street="ул. Аделя Кутуя", house="17"),
        username="resident-long-address",
        email="a.very.long.address.of.a.resident@demo.cityhall.example",
    )
    tab = _tab(new_context, live_server, "ru")
    sign_in(tab.context, client, person, live_server)
    tab.goto(live_server.url + "/accounts/profile/")
    assert "a.very.long.address" in tab.locator("main").inner_text()
    _fits(tab, "/accounts/profile/")
    assert_accessible(tab)


def test_the_first_discussion_is_a_few_tab_presses_away(page, live_server):
    DiscussionFactory(status=Status.ARCHIVED, title="Архивное обсуждение")
    DiscussionFactory(status=Status.EXPOSITION_OPEN, title="Открытое обсуждение")
    page.goto(live_server.url + "/discussions/")
    first = page.locator(".discussion-list a").first
    assert first.inner_text() == "Открытое обсуждение"  # open ones first
    presses = 0
    while presses < 20:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("document.activeElement.getAttribute('href')") == "#results":
            break
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Открытое обсуждение"
    assert presses + 2 <= 14, f"{presses} Tab presses to reach the skip link"
