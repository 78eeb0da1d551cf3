"""The discussion, proposal and submission pages pass axe (WCAG 2.2 AA) on desktop and phone,
with the states a reader meets: documents, hidden items, answers, threads, the reasons why
one cannot take part; submitting works without JavaScript."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cityhall.discussions import services
from cityhall.discussions.models import Discussion, Proposal, Status
from tests.browser.support import assert_accessible, assert_page_says, sign_in
from tests.core.hostile_files import minimal_pdf

from .factories import DiscussionFactory, verified_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy(discussion, organiser, resident, moderator, expert, west_home):
    services.add_document_version(
        actor=organiser,
        discussion=discussion,
        upload=SimpleUploadedFile("project.pdf", minimal_pdf()),
        title="Проект планировки",
    )
    first = services.submit_proposal(discussion=discussion, author=resident, text="Сквер")
    question = services.submit_proposal(
        discussion=discussion, author=resident, text="Сроки?", kind="question"
    )
    services.answer_question(expert=expert, question=question, text="2027 год.")
    other = verified_person(west_home, username="other")
    hidden = services.submit_proposal(
        discussion=discussion,
        author=other,
        text="Оскорбление",
        attachments=[SimpleUploadedFile("скан.pdf", minimal_pdf())],
    )
    services.moderate(moderator=moderator, proposal=hidden, hide=True, reason="insult")
    comment = services.add_comment(author=other, proposal=first, text="Согласен")
    services.add_comment(author=resident, proposal=first, text="Спасибо", parent=comment)
    return discussion


@pytest.mark.parametrize("path", ["/discussions/{pk}/", "/discussions/{pk}/proposals/1/",
                                  "/discussions/{pk}/statistics/"])  # fmt: skip
def test_public_pages_pass_axe(page, phone_page, live_server, busy, path):
    for tab in (page, phone_page):
        response = tab.goto(live_server.url + path.format(pk=busy.pk))
        assert response.ok
        assert_accessible(tab)


def test_ineligible_and_submit_pages_pass_axe(new_context, client, live_server, busy, outsider):
    context = new_context()
    sign_in(context, client, outsider, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{busy.pk}/")
    assert_page_says(tab, "outside the territory")
    assert_accessible(tab)
    tab.goto(f"{live_server.url}/discussions/{busy.pk}/propose/")
    assert_accessible(tab)


def test_submitting_works_without_javascript(
    new_context, client, live_server, busy, resident, organiser, west_home
):
    """A resident's proposal, then a paper one the organiser registers at a typed place
    address (the map's fallback), both without JavaScript."""
    context = new_context(java_script_enabled=False)
    sign_in(context, client, resident, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{busy.pk}/propose/")
    assert "WebP" in tab.locator("#id_attachments_helptext").inner_text()
    tab.get_by_label("Text").fill("Без JavaScript")
    tab.get_by_role("button", name="Submit").click()
    assert_page_says(tab, "Registered as No. 4")
    assert Proposal.objects.filter(discussion=busy, number=4, text="Без JavaScript").exists()

    context = new_context(java_script_enabled=False)
    sign_in(context, client, organiser, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/manage/{busy.pk}/register/")
    received = timezone.localtime() - dt.timedelta(hours=1)
    tab.get_by_label("Received at").fill(received.strftime("%Y-%m-%dT%H:%M"))
    tab.get_by_label("Full name").fill("Сидорова Мария Ивановна")
    tab.get_by_label("Birth date").fill("1970-02-03")
    tab.get_by_label("Identity document number").fill("9205 654321")
    tab.get_by_label("Registered address").fill(west_home.address)
    tab.get_by_label("Text").fill("С заседания")
    tab.get_by_label("Address of the place it is about (optional)").fill("Западная 1")
    tab.get_by_role("button", name="Register").click()
    assert_page_says(tab, "Registered as No. 5")
    tab.goto(f"{live_server.url}/discussions/{busy.pk}/proposals/5/")
    assert_page_says(tab, f"A point on the map: {west_home.address}")


def test_the_legal_record_staff_pages_pass_axe(
    new_context, client, live_server, busy, council, organiser, moderator
):
    """Issue 20's staff forms: announcing with the notice's official source, choosing the
    responsible official with their position, and a hidden text shown to a moderator."""
    draft = DiscussionFactory(organiser=council, status=Status.DRAFT)
    Discussion.objects.filter(pk=busy.pk).update(status=Status.PROPOSALS_CLOSED)
    context = new_context()
    sign_in(context, client, organiser, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/manage/{draft.pk}/")
    assert tab.get_by_label("Where the notice is published").count() == 1
    assert_accessible(tab)
    tab.goto(f"{live_server.url}/discussions/manage/{busy.pk}/final/")
    assert tab.get_by_label("Position of the responsible official").count() == 1
    assert_accessible(tab)
    context = new_context()
    sign_in(context, client, moderator, live_server)
    tab = context.new_page()
    tab.goto(f"{live_server.url}/discussions/{busy.pk}/proposals/3/")
    assert_page_says(tab, "Оскорбление")
    # Hidden with the proposal, its file is still linked for the moderator.
    assert tab.get_by_role("link", name="скан.pdf").count() == 1
    assert_accessible(tab)
