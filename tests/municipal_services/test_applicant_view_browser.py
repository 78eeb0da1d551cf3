"""Item 17 of issue 16 walked in Chromium: the applicant's case page in ru, tt and en shows the
steps by their labels, never a code or a note of the department; the signing page reads as a
document, its digest and canonical JSON folded in a details block that opens from the
keyboard; and the applicant signs from there (axe-checked)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cityhall.municipal_services import services
from cityhall.municipal_services.models import Application, StandardRequestType
from tests.browser.support import assert_accessible, sign_in
from tests.factories import UserFactory

from .factories import Department, published_service, submitted_application, texts, upload

pytestmark = pytest.mark.browser

NOTES = (
    "Коллега, посмотрите охранную зону",
    "Черновик заключения: соответствует ПЗЗ",
    "Участок принадлежит городу",
)
CODES = re.compile(r"\b(acceptance|result_issued|request_sent|request_answered|forwarded|office)\b")


@pytest.fixture
def world(transactional_db):
    dept = Department()
    other = Department("Committee of Land and Property Relations")
    service = published_service(dept)
    applicant = UserFactory(email_confirmed_at=timezone.now())
    case = submitted_application(
        service,
        applicant=applicant,
        answers={"applicant_name": "ООО Ромашка", "purpose": "office", "area": 500},
    )
    services.accept_application(application=case, actor=dept.operator)
    services.forward_to_expert(
        application=case, actor=dept.expert, expert=dept.expert2, note=NOTES[0]
    )
    kind = StandardRequestType.objects.create(
        code="land-extract", name=texts("Выписка", "Extract"), addressee=other.org
    )
    request = services.send_standard_request(
        application=case, actor=dept.expert2, type=kind, payload={}
    )
    services.answer_standard_request(request=request, actor=other.operator, answer=NOTES[2])
    services.send_to_decision(
        application=case, actor=dept.expert2, conclusion=NOTES[1], proposed="approve"
    )
    draft = services.start_application(actor=applicant, service=service)
    services.save_draft(
        application=draft,
        actor=applicant,
        answers={"applicant_name": "ООО Ромашка", "purpose": "office", "area": 120},
    )
    services.upload_file(
        application=draft, actor=applicant, document_code="plan", upload=upload("scan.pdf")
    )
    return applicant, case, draft


@pytest.mark.parametrize(
    "language, awaiting", [("ru", "Ожидает решения"), ("tt", None), ("en", "Awaiting decision")]
)
def test_the_applicant_reads_their_case_in_words_without_internal_notes(
    page, client, live_server, world, language, awaiting
):
    applicant, case, _ = world
    sign_in(page.context, client, applicant, live_server)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/services/applications/{case.pk}/")
    text = page.locator("main").inner_text()
    assert case.number in text
    for note in NOTES:
        assert note not in text
    assert not CODES.search(text), CODES.search(text)
    if awaiting:
        assert awaiting in text
    if language == "ru":
        assert "Офис" in text
        assert_accessible(page)


def test_the_applicant_signs_a_readable_document_with_the_digest_folded_away(
    page, client, live_server, world
):
    applicant, _, draft = world
    sign_in(page.context, client, applicant, live_server)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/services/applications/{draft.pk}/sign/")
    document = page.locator("article.signed-document")
    assert "Site plan" in document.inner_text() and "Office" in document.inner_text()
    assert not page.locator("#digest").is_visible()
    summary = page.get_by_text("Technical details of the signature")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#digest")).to_be_visible()
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#digest").inner_text())
    assert_accessible(page)
    page.get_by_role("button", name="Send the code").click()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label(re.compile("Code sent to")).fill(code)
    page.get_by_role("button", name="Sign and submit").click()
    draft.refresh_from_db()
    assert draft.status == Application.Status.ACCEPTANCE
    assert "Document check" in page.locator("main").inner_text()
