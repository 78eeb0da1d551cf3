"""Channels: a paper application registered at a service centre on behalf of the applicant
(with scans), and the widget another portal embeds (script tag + iframe, allowed origins)."""

from __future__ import annotations

import pytest

from cityhall.municipal_services.models import Application, WidgetSite
from tests.factories import UserFactory

from .factories import Department, published_service, upload

pytestmark = pytest.mark.django_db


def test_an_operator_registers_a_paper_application_for_a_new_applicant(client):
    dept = Department()
    service = published_service(dept)
    client.force_login(dept.operator)
    response = client.post(f"/services/desk/register/{service.code}/", {"contact": "+79171234567"})
    assert response.status_code == 422  # unknown person and no name given
    response = client.post(
        f"/services/desk/register/{service.code}/",
        {"contact": "+79171234567", "last_name": "Гарипов", "first_name": "Ильдар"},
    )
    application = Application.objects.get()
    assert response.url.endswith(f"/applications/{application.pk}/edit/")
    assert application.channel == Application.Channel.SERVICE_CENTRE
    assert application.registered_by == dept.operator
    assert application.applicant.last_name == "Гарипов"
    client.post(
        f"/services/applications/{application.pk}/upload/",
        {"document_code": "plan", "file": upload("scan.pdf")},
    )
    client.post(
        f"/services/applications/{application.pk}/edit/",
        {"action": "submit", "applicant_name": "Гарипов Ильдар", "purpose": "shop", "area": "40"},
    )
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE
    assert application.files.get().uploaded_by == dept.operator


def test_a_resident_cannot_register_applications_for_others(client):
    dept = Department()
    service = published_service(dept)
    client.force_login(UserFactory())
    response = client.post(f"/services/desk/register/{service.code}/", {"contact": "x"})
    assert response.status_code in (302, 403)
    assert not Application.objects.exists()


def test_the_widget_may_be_framed_only_by_its_site(client):
    dept = Department()
    service = published_service(dept)
    other = published_service(dept, code="other-service")
    site = WidgetSite.objects.create(
        key="uslugi-rt", name="Regional portal", origin="https://uslugi.tatarstan.example"
    )
    site.services.add(service)
    response = client.get(f"/services/widget/uslugi-rt/{service.code}/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"].split("; ")
    assert "frame-ancestors 'self' https://uslugi.tatarstan.example" in policy
    assert "script-src 'self'" in policy  # framed, the page still runs only our own files
    assert "X-Frame-Options" not in response
    assert client.get("/services/").get("X-Frame-Options") == "DENY"
    assert client.get(f"/services/widget/uslugi-rt/{other.code}/").status_code == 404
    assert client.get(f"/services/widget/unknown/{service.code}/").status_code == 404
    broken = WidgetSite.objects.create(key="broken", name="Broken", origin="uslugi.example/path")
    broken.services.add(service)
    assert client.get(f"/services/widget/broken/{service.code}/").status_code == 404
    script = client.get("/services/widget.js")
    assert script["Content-Type"].startswith("application/javascript")
    assert "/services/widget/" in script.content.decode()
    # Applying through the widget (without third-party cookies): test_widget_handoff.py.
