"""A service's identity requirement (issue 16 item 14): a service that needs a verified
identity says so on its page and registers no application of an unverified person on any
channel — the portal form, the API (both ways), a paper application at a service centre, and
registration itself (a check made before the identity was removed does not count)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cityhall.accounts.models import VerifiedIdentity
from cityhall.core import inbox
from cityhall.municipal_services import intake
from cityhall.municipal_services.models import Application
from tests.factories import UserFactory

from .factories import Department, published_service, upload

pytestmark = pytest.mark.django_db

ANSWERS = {"applicant_name": "ООО Ромашка", "purpose": "shop", "area": "500"}


def _verify(person):
    return VerifiedIdentity.objects.create(
        user=person,
        method=VerifiedIdentity.Method.SERVICE_CENTRE,
        last_name=person.last_name or "Иванова",
        first_name=person.first_name or "Анна",
        birth_date=dt.date(1980, 1, 1),
        verified_at=timezone.now(),
    )


@pytest.fixture
def dept():
    return Department()


@pytest.fixture
def service(dept):
    return published_service(dept, identity="verified")


def test_the_service_page_and_the_api_say_who_may_apply(client, dept, service):
    page = client.get(f"/services/{service.code}/").content.decode()
    assert "Only people with a verified identity" in page
    assert client.get(f"/api/v1/services/{service.code}").json()["identity"] == "verified"
    open_to_all = published_service(dept, code="open-service")
    assert "Anyone with an account" in client.get(f"/services/{open_to_all.code}/").content.decode()


def test_the_portal_form_refuses_to_sign_for_an_unverified_applicant(client, service):
    newcomer = UserFactory()
    client.force_login(newcomer)
    client.post(f"/services/{service.code}/apply/")
    application = Application.objects.get()
    url = f"/services/applications/{application.pk}/edit/"
    assert "needs a verified identity" in client.get(url).content.decode()
    response = client.post(url, {"action": "submit", **ANSWERS, "file-plan": upload()})
    assert response.status_code == 403
    assert "needs a verified identity" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.answers["applicant_name"] == "ООО Ромашка"  # nothing typed is lost

    _verify(newcomer)
    response = client.post(url, {"action": "submit", **ANSWERS})
    assert response.status_code == 302 and response.url.endswith("/sign/")


def test_the_api_refuses_an_unverified_applicant_both_ways(client, dept):
    service = published_service(dept, identity="verified", documents=[])
    client.force_login(UserFactory())
    at_once = client.post(
        "/api/v1/applications",
        {"service": service.code, "answers": ANSWERS | {"area": 500}, "submit": True},
        content_type="application/json",
    )
    assert at_once.status_code == 403 and at_once.json()["code"] == "identity_required"
    draft = client.post(
        "/api/v1/applications",
        {"service": service.code, "answers": ANSWERS | {"area": 500}},
        content_type="application/json",
    ).json()
    response = client.post(f"/api/v1/applications/{draft['id']}/submit")
    assert response.status_code == 403 and response.json()["code"] == "identity_required"
    assert not Application.objects.exclude(status="draft").exists()


def test_a_paper_application_waits_until_the_operator_has_verified_the_person(
    client, dept, service
):
    client.force_login(dept.operator)
    client.post(
        f"/services/desk/register/{service.code}/",
        {"contact": "+79171234567", "last_name": "Гарипов", "first_name": "Ильдар"},
    )
    application = Application.objects.get()
    url = f"/services/applications/{application.pk}/edit/"
    page = client.get(url).content.decode()
    assert f"/accounts/verify/?person={application.applicant_id}" in page
    response = client.post(url, {"action": "submit", **ANSWERS, "file-plan": upload()})
    assert response.status_code == 403
    _verify(application.applicant)
    client.post(url, {"action": "submit", **ANSWERS})
    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTANCE


def test_registration_checks_the_requirement_again(dept, service):
    person = UserFactory()
    identity = _verify(person)
    from cityhall.municipal_services import services

    application = services.start_application(actor=person, service=service)
    services.save_draft(application=application, actor=person, answers=ANSWERS | {"area": 500})
    services.upload_file(
        application=application, actor=person, document_code="plan", upload=upload()
    )
    item = inbox.receive(intake.KIND, intake.draft_payload(application), actor=person, inline=False)
    identity.delete()  # verification withdrawn before the batch ran
    [outcome] = intake.register_applications([item])
    assert "needs a verified identity" in outcome.error
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", "Только с подтверждённой личностью"),
        ("tt", "Бары тик шәхесе расланганнар"),
        ("en", "Only people with a verified identity"),
    ],
)
def test_the_requirement_is_said_in_every_language(client, service, language, expected):
    page = client.get(f"/services/{service.code}/", HTTP_ACCEPT_LANGUAGE=language)
    assert expected in page.content.decode()
