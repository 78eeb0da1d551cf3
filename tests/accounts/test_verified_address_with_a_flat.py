"""Issue 20.7: a verified address with a flat ("ул. Короленко, д. 32, кв. 126") names the
building, so its resident may take part in territorial discussions; an address that names no
building is flagged to the operator at verification and to the person, never shown as fine."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from cityhall.accounts.models import Role, VerifiedIdentity
from cityhall.core.models import AuditRecord
from tests.discussions.factories import DiscussionFactory, verified_person
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from tests.geo.factories import BuildingFactory, make_city

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:verify")


@pytest.fixture
def city(db):
    return make_city()


@pytest.fixture
def korolenko(city):
    return BuildingFactory(street="ул. Короленко", house="32", lat=55.78, lon=49.05)


@pytest.fixture
def operator(client):
    centre = OrganisationFactory(service_centre=True)
    user = MembershipFactory(organisation=centre, role=Role.OPERATOR).user
    sign_in_with_second_factor(client, user)
    return user


def _document(person, address):
    return {
        "person": person.pk,
        "last_name": "Сафина",
        "first_name": "Алия",
        "birth_date": "1990-02-03",
        "document_number": "9210 654321",
        "registered_address": address,
        "document_checked": "on",
    }


def test_resident_of_a_flat_verified_at_the_desk_may_take_part(client, city, korolenko, operator):
    person = UserFactory()
    response = client.post(VERIFY, _document(person, "ул. Короленко, д. 32, кв. 126"))
    assert response.status_code == 302
    identity = VerifiedIdentity.objects.get(user=person)
    assert identity.registered_building == korolenko
    assert identity.registered_address == "ул. Короленко, д. 32, кв. 126"
    page = client.get(response["Location"]).content.decode()
    assert "matches no building" not in page

    discussion = DiscussionFactory(districts=[city.west])
    client.force_login(person)
    body = client.get(f"/api/v1/discussions/{discussion.pk}/eligibility").json()
    assert body["eligible"] is True, body
    me = client.get("/api/v1/accounts/me").json()
    assert me["identity"]["address_matched"] is True


def test_operator_is_warned_when_the_address_matches_no_building(client, city, korolenko, operator):
    person = UserFactory()
    response = client.post(VERIFY, _document(person, "ул. Короленкр, д. 32, кв. 126"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "matches no building in the city&#x27;s address register" in page
    assert 'name="action" value="address"' in page

    corrected = client.post(
        VERIFY,
        {
            "person": person.pk,
            "action": "address",
            "address-registered_address": "Короленко 32, кв 126",
        },
    )
    assert corrected.status_code == 302
    identity = VerifiedIdentity.objects.get(user=person)
    assert identity.registered_building == korolenko
    assert identity.document_masked == "*******321"  # the rest of the identity stays
    record = AuditRecord.objects.get(action="accounts.registered_address_corrected")
    assert record.actor_id == operator.pk
    page = client.get(corrected["Location"]).content.decode()
    assert "matches no building" not in page


def test_only_service_centre_operators_correct_an_address(client, city, korolenko):
    person = verified_person(None, username="someone")
    VerifiedIdentity.objects.filter(user=person).update(registered_address="Нигде 1")
    dispatcher = MembershipFactory(
        role=Role.DISPATCHER, organisation=OrganisationFactory(managing=True)
    ).user
    sign_in_with_second_factor(client, dispatcher)
    refused = client.post(
        VERIFY,
        {"person": person.pk, "action": "address", "address-registered_address": "Короленко 32"},
    )
    assert refused.status_code == 403
    assert VerifiedIdentity.objects.get(user=person).registered_building is None


def test_profile_and_cabinet_say_when_the_address_matches_no_building(client, city, korolenko):
    person = verified_person(None, username="unmatched")
    VerifiedIdentity.objects.filter(user=person).update(registered_address="ул. Неизвестная, 9")
    client.force_login(person)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="address-unmatched"' in profile
    cabinet = client.get(reverse("portal:cabinet")).content.decode()
    assert "Verified; address not found" in cabinet
    assert client.get("/api/v1/accounts/me").json()["identity"]["address_matched"] is False

    housed = verified_person(korolenko, username="housed")
    client.force_login(housed)
    assert 'id="address-unmatched"' not in client.get(reverse("accounts:profile")).content.decode()


def test_the_command_links_addresses_verified_before_flats_were_read(korolenko):
    person = verified_person(None, username="before-fix")
    VerifiedIdentity.objects.filter(user=person).update(
        registered_address="ул. Короленко, д. 32, кв. 126"
    )
    call_command("match_registered_addresses")
    assert VerifiedIdentity.objects.get(user=person).registered_building == korolenko
    assert AuditRecord.objects.filter(action="accounts.registered_address_corrected").exists()
