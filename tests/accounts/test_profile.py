"""The profile page and the cabinet section "My profile and verification"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cityhall.accounts import services
from cityhall.accounts.models import Role, VerifiedIdentity
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

from .factories import attributes

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
CABINET = reverse("portal:cabinet")


def test_profile_needs_sign_in(client):
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_unverified_person_is_told_how_to_get_verified(client, settings):
    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID = "", ""
    OrganisationFactory(
        service_centre=True, name="МФЦ Приволжского района", address="ул. Павлюхина, 91"
    )
    client.force_login(UserFactory())
    text = client.get(PROFILE).content.decode()
    assert "Your identity is not verified yet." in text
    assert "МФЦ Приволжского района, ул. Павлюхина, 91" in text
    assert reverse("accounts:oidc_start") not in text  # not configured here

    settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID = "http://127.0.0.1:9/", "cityhall"
    assert reverse("accounts:oidc_start") in client.get(PROFILE).content.decode()


def test_verified_person_sees_masked_document_age_and_roles(client):
    person = UserFactory()
    MembershipFactory(user=person, role=Role.EXPERT, organisation=OrganisationFactory(name="УАиГ"))
    services.apply_verification(
        person=person,
        attributes=attributes(document_number="9215 123456", birth_date=dt.date(1990, 5, 17)),
        method=VerifiedIdentity.Method.OIDC,
        actor=None,
    )
    client.force_login(person)
    text = client.get(PROFILE).content.decode()
    assert "*******456" in text and "123456" not in text
    assert "Иванова Анна Сергеевна" in text
    assert "years old" in text
    assert "Expert — УАиГ" in text


def test_cabinet_shows_the_verification_section(client):
    person = UserFactory()
    client.force_login(person)
    text = client.get(CABINET).content.decode()
    assert "My profile and verification" in text
    assert "Your identity is not verified" in text
    services.apply_verification(
        person=person,
        attributes=attributes(),
        method=VerifiedIdentity.Method.SERVICE_CENTRE,
        actor=None,
    )
    text = client.get(CABINET).content.decode()
    assert "Иванова Анна Сергеевна" in text and "Document check at a service centre" in text
