"""Issue 20's new pages in a real browser: the support desk and a ticket (administrators), the
author's ticket in the cabinet, and the subscription's confirm and unsubscribe pages — axe
WCAG 2.2 AA in English, Russian and Tatar, on a phone without sideways scrolling, and the
forms work with JavaScript off."""

from __future__ import annotations

import pytest

from cityhall.accounts.models import Role
from cityhall.discussions import services as discussions
from cityhall.discussions.models import Subscription
from cityhall.portal import services as portal
from cityhall.portal.models import SupportTicket
from tests.factories import MembershipFactory, UserFactory

from .support import assert_accessible, assert_page_says, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCALES = {"en": "en-GB", "ru": "ru-RU", "tt": "tt-RU"}
HEADINGS = {
    "en": ("Support desk", "Confirm the subscription"),
    "ru": ("Служба поддержки", "Подтвердите подписку"),
    "tt": ("Ярдәм хезмәте", "Язылуны раслагыз"),
}


@pytest.fixture(autouse=True)
def _staff_without_otp(settings):
    settings.STAFF_REQUIRE_OTP = False


@pytest.fixture
def ticket():
    author = UserFactory(email="alsu@example.org")
    return portal.submit_support_ticket(
        author=author,
        name="Алсу Хамитова",
        email="alsu@example.org",
        topic="accessibility",
        message="Карта плохо читается экранным диктором.",
    )


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def _fits(tab) -> None:
    width, screen = tab.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"{tab.url} scrolls sideways ({width}px > {screen}px)"


@pytest.mark.parametrize("language", LOCALES)
def test_the_support_desk_and_the_authors_ticket_pass_axe(
    new_context, client, live_server, ticket, language
):
    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 740}):
        context = new_context(locale=LOCALES[language], viewport=viewport)
        sign_in(context, client, admin, live_server)
        tab = context.new_page()
        tab.goto(f"{live_server.url}/staff/support/")
        assert HEADINGS[language][0] in tab.locator("main h1").inner_text()
        assert_accessible(tab)
        _fits(tab)
        tab.goto(f"{live_server.url}/staff/support/{ticket.number}/")
        assert_accessible(tab)
        _fits(tab)
    portal.answer_support_ticket(actor=admin, ticket_id=ticket.pk, answer="Исправили, спасибо.")
    context = new_context(locale=LOCALES[language])
    sign_in(context, client, ticket.author, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/cabinet/support/{ticket.number}/")
    assert_page_says(tab, "Исправили, спасибо.")
    assert_accessible(tab)


def test_an_administrator_answers_with_the_keyboard_and_no_javascript(
    new_context, client, live_server, ticket
):
    admin = MembershipFactory(role=Role.ADMINISTRATOR).user
    context = new_context(java_script_enabled=False)
    sign_in(context, client, admin, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/staff/support/")
    tab.get_by_role("link", name=ticket.number).click()
    tab.get_by_label("Answer").focus()
    tab.keyboard.type("Исправили.")
    tab.get_by_role("button", name="Send the answer").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert_page_says(tab, "The answer was sent to alsu@example.org.")
    assert SupportTicket.objects.get(pk=ticket.pk).answer == "Исправили."


@pytest.mark.parametrize("language", LOCALES)
def test_confirm_and_unsubscribe_pages_pass_axe_and_work_without_javascript(
    new_context, live_server, language
):
    sub = discussions.subscribe(email="news@example.org")
    confirm = discussions.subscription_link(sub, "confirm")
    stop = discussions.subscription_link(sub, "unsubscribe")
    context = new_context(locale=LOCALES[language])
    tab = context.new_page()
    for path in (confirm, stop):
        tab.goto(live_server.url + path)
        assert_accessible(tab)
    tab.goto(live_server.url + confirm)
    assert HEADINGS[language][1] in tab.locator("main h1").inner_text()
    no_script = new_context(locale=LOCALES[language], java_script_enabled=False).new_page()
    no_script.goto(live_server.url + confirm)
    with no_script.expect_navigation():
        no_script.locator("main button[type=submit]").click()
    assert Subscription.objects.get(pk=sub.pk).is_active
    no_script.goto(live_server.url + stop)
    with no_script.expect_navigation():
        no_script.locator("main button[type=submit]").click()
    assert not Subscription.objects.get(pk=sub.pk).is_active
    assert _token(stop) != _token(confirm)
