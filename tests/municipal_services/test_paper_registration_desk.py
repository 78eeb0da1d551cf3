"""The desk's paper registration (issue 16.22): only services with a published version are
offered; a service without one is refused before any account is written; the service-centre
operator follows the applications they registered from their desk."""

from __future__ import annotations

import pytest

from cityhall.accounts.models import User
from cityhall.municipal_services import services
from tests.factories import MembershipFactory, OrganisationFactory

from .factories import Department, definition, published_service, texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    dept = Department()
    published_service(dept)
    draft_only = services.create_service(
        actor=None, code="draft-only", department=dept.org, name=texts("Черновая", "Draft only")
    )
    services.create_draft(actor=None, service=draft_only, definition=definition())
    centre = OrganisationFactory(name="МФЦ Вахитовский", type="service_centre")
    clerk = MembershipFactory(organisation=centre, role="operator").user
    return dept, clerk


def test_the_desk_offers_only_published_services(client, world):
    _, clerk = world
    client.force_login(clerk)
    page = client.get("/services/desk/").content.decode()
    assert "/services/desk/register/building-permit/" in page
    assert "/services/desk/register/draft-only/" not in page


def test_an_unpublished_service_is_refused_before_an_account_is_made(client, world):
    _, clerk = world
    client.force_login(clerk)
    people = User.objects.count()
    answer = client.post(
        "/services/desk/register/draft-only/",
        {"contact": "+7 917 555-11-22", "last_name": "Петров", "first_name": "Пётр"},
    )
    assert answer.status_code == 409
    assert "no published version" in answer.content.decode()
    assert User.objects.count() == people


def test_the_service_centre_operator_follows_what_they_registered(client, world):
    dept, clerk = world
    client.force_login(clerk)
    answer = client.post(
        "/services/desk/register/building-permit/",
        {"contact": "+7 917 555-11-23", "last_name": "Петров", "first_name": "Пётр"},
    )
    assert answer.status_code == 302
    application = clerk.municipal_applications.model.objects.get(registered_by=clerk)
    desk = client.get("/services/desk/").content.decode()
    assert "Applications you registered" in desk or "Зарегистрированные вами" in desk
    assert f"/services/applications/{application.pk}/" in desk
    assert client.get(f"/services/applications/{application.pk}/").status_code == 200
