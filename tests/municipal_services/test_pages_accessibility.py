"""The applicant's pages pass axe (WCAG 2.2 AA) on a desktop and a phone, the form is filled,
signed and submitted with JavaScript turned off, and the widget in another site's iframe hands
the answers to a first-party tab (the portal's session cookie never reaches the iframe)."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from cityhall.municipal_services.models import Application, WidgetSite
from tests.browser.support import assert_accessible, sign_in
from tests.factories import UserFactory

from .factories import PDF_BYTES, Department, life_situation, published_service, texts

pytestmark = pytest.mark.browser


@pytest.fixture
def service(transactional_db):
    dept = Department()
    service = published_service(dept)
    life_situation(
        "build-an-office",
        texts("Построить офис", "Build an office"),
        {
            "type": "object",
            "properties": {"company": {"type": "string"}},
            "required": ["company"],
        },
    )
    return service


@pytest.mark.parametrize(
    "path", ["/services/", "/services/building-permit/", "/services/situations/build-an-office/"]
)
def test_public_pages_pass_axe(page, phone_page, live_server, service, path):
    for tab in (page, phone_page):
        response = tab.goto(live_server.url + path)
        assert response.ok
        assert_accessible(tab)


def test_the_form_works_without_javascript(new_context, client, live_server, service):
    applicant = UserFactory(email_confirmed_at=timezone.now())
    context = new_context(java_script_enabled=False)
    sign_in(context, client, applicant, live_server)
    tab = context.new_page()
    tab.goto(live_server.url + "/services/building-permit/apply/")
    tab.get_by_role("button", name="Start a new application").click()
    tab.get_by_label("Applicant").fill("ООО Ромашка")
    tab.get_by_label("Purpose").select_option("shop")
    tab.get_by_label("Area, m²").fill("-3")
    tab.get_by_role("button", name="Sign and submit").click()
    expect(tab.get_by_text("Enter a number not less than 1.")).to_be_visible()
    tab.set_input_files(
        "#up-plan",
        files=[
            {
                "name": "plan.pdf",
                "mimeType": "application/pdf",
                "buffer": PDF_BYTES,
            }
        ],
    )
    tab.get_by_role("button", name="Upload").first.click()
    expect(tab.get_by_role("link", name="plan.pdf")).to_be_visible()
    tab.get_by_label("Area, m²").fill("300")
    tab.get_by_role("button", name="Sign and submit").click()
    expect(tab.get_by_role("heading", name="What you sign")).to_be_visible()
    tab.get_by_role("button", name="Send the code").click()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    tab.get_by_label(re.compile("Code sent to")).fill(code)
    tab.get_by_role("button", name="Sign and submit").click()
    expect(tab.get_by_role("heading", name="Signatures")).to_be_visible()
    application = Application.objects.get()
    assert application.status == Application.Status.ACCEPTANCE
    expect(tab.get_by_text(application.number).first).to_be_visible()
    tab.get_by_role("button", name="Verify").click()
    expect(tab.get_by_text("The signature is valid")).to_be_visible()


def test_the_form_with_errors_passes_axe(page, phone_page, client, live_server, service):
    applicant = UserFactory()
    for tab in (page, phone_page):
        sign_in(tab.context, client, applicant, live_server)
        tab.goto(live_server.url + "/services/building-permit/apply/")
        tab.get_by_role("button", name="Start a new application").click()
        assert_accessible(tab)
        tab.get_by_label("Area, m²").fill("-3")
        tab.get_by_role("button", name="Sign and submit").click()
        expect(tab.get_by_text("Enter a number not less than 1.")).to_be_visible()
        assert_accessible(tab)


def test_the_sign_page_passes_axe(page, phone_page, client, live_server, service):
    from cityhall.municipal_services import services

    from .factories import upload

    applicant = UserFactory(email_confirmed_at=timezone.now())
    application = services.start_application(actor=applicant, service=service)
    services.save_draft(
        application=application,
        actor=applicant,
        answers={"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 300},
    )
    services.upload_file(
        application=application, actor=applicant, document_code="plan", upload=upload()
    )
    for tab in (page, phone_page):
        sign_in(tab.context, client, applicant, live_server)
        tab.goto(f"{live_server.url}/services/applications/{application.pk}/sign/")
        assert_accessible(tab)


def test_the_widget_in_another_sites_iframe_hands_over_to_a_first_party_tab(
    new_context, client, live_server, service
):
    """The other portal is played by a page at 127.0.0.1 — another site than the portal's
    "localhost" — served by the test, that places the widget with its one script tag; the
    portal's session cookie (SameSite=Lax) never reaches the iframe there, yet applying works."""
    with _other_portal() as host:
        _apply_through_the_widget(new_context, client, live_server, service, host)


@contextlib.contextmanager
def _other_portal() -> Iterator[str]:
    """Another site on 127.0.0.1 (a loopback address, as the portal's, so Chromium lets its
    page load the portal's script) with a page of its own, under no policy of ours."""
    page = b"<!doctype html><html lang='en'><title>Regional portal</title><main></main></html>"

    class OtherPortal(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), OtherPortal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _apply_through_the_widget(new_context, client, live_server, service, host: str) -> None:
    site = WidgetSite.objects.create(key="uslugi-rt", name="Regional portal", origin=host)
    site.services.add(service)
    applicant = UserFactory()
    context = new_context()
    sign_in(context, client, applicant, live_server)
    tab = context.new_page()
    tab.goto(f"{host}/")
    tab.evaluate(
        """([src, code]) => {
            const s = document.createElement("script");
            s.src = src;
            s.dataset.site = "uslugi-rt";
            s.dataset.service = code;
            s.dataset.title = "Building permit";
            document.querySelector("main").appendChild(s);
        }""",
        [f"{live_server.url}/services/widget.js", service.code],
    )
    frame = tab.frame_locator('iframe[title="Building permit"]')
    frame.get_by_label("Applicant").fill("ООО Ромашка")
    frame.get_by_label("Purpose").select_option("shop")
    frame.get_by_label("Area, m²").fill("300")
    frame.get_by_role("button", name="Continue").click()
    expect(frame.get_by_role("heading", name="Your answers are saved")).to_be_visible()
    with context.expect_page() as opened:
        frame.get_by_role("link", name=re.compile("Continue on the portal")).click()
    portal = opened.value
    portal.wait_for_load_state()
    assert portal.url.startswith(live_server.url)  # a top-level, first-party tab
    assert_accessible(portal)
    portal.get_by_role("button", name="Continue to the application").click()
    expect(portal.get_by_label("Applicant")).to_have_value("ООО Ромашка")
    application = Application.objects.get()
    assert application.applicant == applicant
    assert application.channel == Application.Channel.WIDGET and application.widget_site == site

    frame.get_by_role("button", name="Check whether I have continued").click()
    expect(frame.get_by_role("heading", name="Continued on the portal")).to_be_visible()
    portal.goto(f"{live_server.url}/services/widget/uslugi-rt/{service.code}/")
    assert_accessible(portal)  # the widget page itself
    portal.get_by_role("button", name="Continue").click()  # nothing filled in: errors shown
    expect(portal.get_by_role("heading", name="Please correct the errors below.")).to_be_visible()
    assert_accessible(portal)
