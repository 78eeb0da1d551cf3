"""The widget without third-party cookies: the iframe posts the answers with no cookie at all
(checked against the schema on the server), they wait behind a random single-use token, and the
person continues in a first-party tab — signs in, finds the draft prefilled, signs and submits.
The iframe tells what happened; only the site's allowed origins may frame it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from cityhall.core.models import AuditRecord
from cityhall.municipal_services.models import Application, WidgetHandoff, WidgetSite
from tests.factories import UserFactory

from .factories import Department, published_service, sign_through_pages, upload

pytestmark = pytest.mark.django_db

ANSWERS = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": "500"}
ORIGIN = "https://uslugi.tatarstan.example"


@pytest.fixture
def service():
    return published_service(Department())


@pytest.fixture
def site(service):
    site = WidgetSite.objects.create(key="uslugi-rt", name="Regional portal", origin=ORIGIN)
    site.services.add(service)
    return site


def _iframe() -> Client:
    """A browser that blocks third-party cookies: it never sends one and CSRF is enforced."""
    return Client(enforce_csrf_checks=True)


def _widget_url(service) -> str:
    return f"/services/widget/uslugi-rt/{service.code}/"


def _continue_link(page: str) -> str:
    match = re.search(r'<a[^>]*target="_blank"[^>]*href="(/services/widget/continue/[^"]+/)"', page)
    assert match, "the iframe offers a new-tab link to the portal"
    return match.group(1)


def test_the_iframe_hands_answers_over_without_cookies_and_the_person_signs_on_the_portal(
    client, service, site, django_capture_on_commit_callbacks
):
    iframe = _iframe()
    form = iframe.get(_widget_url(service))
    assert form.status_code == 200
    assert f"frame-ancestors 'self' {ORIGIN}" in form["Content-Security-Policy"].split("; ")
    assert "X-Frame-Options" not in form
    assert 'name="applicant_name"' in form.content.decode()
    assert not form.cookies  # nothing the browser would have to keep for the iframe

    bad = iframe.post(_widget_url(service), {"applicant_name": "AB", "purpose": "castle"})
    assert bad.status_code == 422  # checked against the schema on the server, beside the fields
    assert 'id="f-applicant_name-error"' in bad.content.decode()
    assert not WidgetHandoff.objects.exists()

    done = iframe.post(_widget_url(service), ANSWERS)
    assert done.status_code == 200
    assert f"frame-ancestors 'self' {ORIGIN}" in done["Content-Security-Policy"].split("; ")
    page = done.content.decode()
    assert "Your answers are saved" in page
    link = _continue_link(page)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 40 and "Ромашка" not in link and "500" not in link
    handoff = WidgetHandoff.objects.get()
    assert token not in handoff.token_hash  # only the hash is stored
    assert handoff.answers == {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": 500}
    assert handoff.expires_at > timezone.now()
    assert not Application.objects.exists()

    # The new first-party tab: sign in first, then the answers are shown to continue with.
    response = client.get(link)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert f"next={link}" in response.url
    applicant = UserFactory()
    applicant.email_confirmed_at = timezone.now()
    applicant.save()
    client.force_login(applicant)
    page = client.get(link).content.decode()
    assert "Regional portal" in page and "ООО Ромашка" in page
    response = client.post(link)
    application = Application.objects.get()
    assert response.url == f"/services/applications/{application.pk}/edit/"
    assert application.applicant == applicant
    assert application.channel == Application.Channel.WIDGET and application.widget_site == site
    assert application.answers == handoff.answers
    edit = client.get(response.url).content.decode()
    assert 'value="ООО Ромашка"' in edit  # the draft is prefilled
    handoff.refresh_from_db()
    assert handoff.claimed_at and handoff.application == application and handoff.answers == {}
    assert AuditRecord.objects.filter(
        action="municipal_services.widget_handoff_claimed", object_id=str(application.pk)
    ).exists()

    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload()},
    )
    response = client.post(
        f"/services/applications/{application.pk}/edit/", {"action": "submit", **ANSWERS}
    )
    assert response.url == f"/services/applications/{application.pk}/sign/"
    sign_through_pages(client, application, django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE

    # Back in the iframe (still no cookies): it says what happened.
    status = iframe.post(_widget_url(service), {"handoff": token}).content.decode()
    assert "Continued on the portal" in status and application.number in status

    # The link is single-use: the same person gets their application, anyone else is refused.
    assert client.get(link).status_code == 302
    client.force_login(UserFactory())
    response = client.post(link)
    assert response.status_code == 409
    assert "already been used" in response.content.decode()
    assert Application.objects.count() == 1

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/municipal_services/widgethandoff/")
    assert listing.status_code == 200 and "Regional portal" in listing.content.decode()


def test_an_expired_or_unknown_handoff_link_starts_nothing(client, service, site):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=3)):
        link = _continue_link(_iframe().post(_widget_url(service), ANSWERS).content.decode())
    client.force_login(UserFactory())
    page = client.get(link)
    assert page.status_code == 410 and "expired" in page.content.decode()
    response = client.post(link)
    assert response.status_code == 409 and "expired" in response.content.decode()
    assert client.get("/services/widget/continue/not-a-real-token/").status_code == 404
    assert not Application.objects.exists()


def test_the_widget_refuses_posts_from_other_origins_and_sites_it_does_not_serve(service, site):
    iframe = _iframe()
    response = iframe.post(_widget_url(service), ANSWERS, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    response = iframe.post(_widget_url(service), ANSWERS, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200  # the iframe's own document posts from this portal
    other = published_service(Department("Other department"), code="other-service")
    assert iframe.post(f"/services/widget/uslugi-rt/{other.code}/", ANSWERS).status_code == 404
    site.is_active = False
    site.save()
    assert iframe.get(_widget_url(service)).status_code == 404


def test_one_client_cannot_fill_the_handoff_table(service, site, monkeypatch):
    from cityhall.municipal_services import widget

    monkeypatch.setattr(widget, "RATE_LIMIT", 3)
    iframe = _iframe()
    for _ in range(3):
        assert iframe.post(_widget_url(service), ANSWERS).status_code == 200
    refused = iframe.post(_widget_url(service), ANSWERS)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.content.decode()
    assert WidgetHandoff.objects.count() == 3
    other = Client(enforce_csrf_checks=True, REMOTE_ADDR="10.0.0.9")
    assert other.post(_widget_url(service), ANSWERS).status_code == 200


def test_expired_handoffs_and_their_answers_are_purged_by_the_scheduled_job(service, site):
    from cityhall.municipal_services.tasks import purge_widget_handoffs_task

    with time_machine.travel(timezone.now() - dt.timedelta(days=2)):
        _iframe().post(_widget_url(service), ANSWERS)
    _iframe().post(_widget_url(service), ANSWERS)
    assert WidgetHandoff.objects.count() == 2

    purge_widget_handoffs_task.call_local()

    assert WidgetHandoff.objects.count() == 1
    assert WidgetHandoff.objects.get().expires_at > timezone.now()
