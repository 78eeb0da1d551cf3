"""The desks' pages in Chromium (issue 20.11–15): axe (WCAG 2.2 AA) in en, ru and tt; similar
proposals as one types with JavaScript and as a step without it; the search form by keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cityhall.discussions import services
from cityhall.discussions.models import Discussion, Proposal, Status
from tests.browser.support import assert_accessible, assert_page_says, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(discussion, organiser, resident, outsider, moderator, expert):
    services.set_sections(
        actor=organiser, discussion=discussion, sections=[("3.1", "Транспорт"), ("3.2", "Школы")]
    )
    transport = discussion.sections.get(reference="3.1").pk
    services.submit_proposal(
        discussion=discussion,
        author=resident,
        text="Построить станцию метро на улице Баумана",
        section=transport,
    )
    services.submit_proposal(
        discussion=discussion, author=resident, text="Когда откроют школу?", kind="question"
    )
    hidden = services.submit_proposal(discussion=discussion, author=resident, text="Грубость")
    services.flag_item(reporter=outsider, proposal=hidden, reason="insult")
    services.moderate(moderator=moderator, proposal=hidden, hide=True, reason="insult")
    services.flag_item(
        reporter=outsider, proposal=Proposal.objects.get(number=1, discussion=discussion),
        reason="off_topic",
    )  # fmt: skip
    return discussion


@pytest.mark.parametrize("locale", ["en-GB", "ru-RU", "tt-RU"])
def test_public_desk_pages_pass_axe_in_every_language(new_context, live_server, desk, locale):
    context = new_context(locale=locale)
    tab = context.new_page()
    for path in (
        f"/discussions/{desk.pk}/?q=метро&sort=newest",
        f"/discussions/{desk.pk}/sections/",
        f"/discussions/{desk.pk}/moderation-log/",
    ):
        assert tab.goto(live_server.url + path).ok
        assert_accessible(tab)
    if locale == "ru-RU":
        tab.goto(f"{live_server.url}/discussions/{desk.pk}/?q=метро")
        assert_page_says(tab, "Найдена 1 запись.")


def test_staff_desks_pass_axe(new_context, client, live_server, desk, organiser):
    Discussion.objects.filter(pk=desk.pk).update(status=Status.PROPOSALS_CLOSED)
    context = new_context(locale="ru-RU")
    sign_in(context, client, organiser, live_server)
    tab = context.new_page()
    for path in (
        "/discussions/questions/",
        "/discussions/moderation/",
        f"/discussions/manage/{desk.pk}/sections/",
        f"/discussions/manage/{desk.pk}/recommendations/?similar_to=1",
    ):
        assert tab.goto(live_server.url + path).ok, path
        assert_accessible(tab)


def test_similar_proposals_appear_as_one_types(new_context, client, live_server, desk, outsider):
    Discussion.objects.filter(pk=desk.pk).update(open_to_all_verified=True)
    context = new_context()
    sign_in(context, client, outsider, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{desk.pk}/propose/")
    assert not tab.locator("#similar").is_visible()
    tab.get_by_label("Text").fill("Нужна станция метро на Баумана")
    tab.locator("#similar a").first.wait_for()
    expect(tab.locator("#similar")).to_contain_text("№ 1")
    assert_accessible(tab)


def test_similar_proposals_without_javascript(new_context, client, live_server, desk, resident):
    context = new_context(java_script_enabled=False)
    sign_in(context, client, resident, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{desk.pk}/propose/")
    tab.get_by_label("Text").fill("Нужна станция метро на Баумана")
    tab.get_by_role("button", name="Check for similar proposals").click()
    expect(tab.locator("#similar")).to_contain_text("№ 1")
    assert Proposal.objects.filter(discussion=desk).count() == 3
    tab.get_by_role("button", name="Submit", exact=True).click()
    assert_page_says(tab, "Registered as No. 4")


def test_search_by_keyboard(new_context, live_server, desk):
    tab = new_context().new_page()
    tab.goto(f"{live_server.url}/discussions/{desk.pk}/")
    tab.get_by_label("Search in the texts").focus()
    tab.keyboard.type("метро")
    tab.keyboard.press("Enter")
    tab.wait_for_url("**q=**")
    assert_page_says(tab, "1 item found.")
