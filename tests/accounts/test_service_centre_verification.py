"""An operator of a service centre verifies a resident's identity from the document presented
in person (/accounts/verify/)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from cityhall.accounts import selectors
from cityhall.accounts.models import Role, VerifiedIdentity
from cityhall.core.models import AuditRecord
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sign_in_with_second_factor,
)
from tests.geo.factories import BuildingFactory

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:verify")


@pytest.fixture
def operator(client):
    centre = OrganisationFactory(service_centre=True, name="МФЦ Вахитовского района")
    user = MembershipFactory(organisation=centre, role=Role.OPERATOR, user__username="op").user
    sign_in_with_second_factor(client, user)
    return user


@pytest.fixture
def resident():
    return UserFactory(
        username="gulnara",
        last_name="Закирова",
        first_name="Гульнара",
        phone="+79172223344",
        email="gulnara@example.org",
    )


def _document(person, **overrides):
    data = {
        "person": person.pk,
        "last_name": "Закирова",
        "first_name": "Гульнара",
        "middle_name": "Фаритовна",
        "birth_date": "1987-11-03",
        "document_number": "9207 445566",
        "registered_address": "ул. Баумана, д. 7",
        "rights": "ownership; 16:50:011101:777",
        "document_checked": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("query", ["+7 917 222-33-44", "gulnara@example.org", "Закирова"])
def test_operator_finds_the_person_by_phone_email_or_name(client, operator, resident, query):
    page = client.get(VERIFY, {"q": query})
    assert page.status_code == 200
    assert f"?person={resident.pk}" in page.content.decode()


def test_operator_verifies_from_the_document(client, operator, resident):
    building = BuildingFactory(street="ул. Баумана", house="7", cadastral_number="16:50:011101:777")
    form = client.get(VERIFY, {"person": resident.pk})
    assert "Document checked in person" in form.content.decode()

    response = client.post(VERIFY, _document(resident))
    assert response.status_code == 302
    identity = VerifiedIdentity.objects.get(user=resident)
    assert identity.method == VerifiedIdentity.Method.SERVICE_CENTRE
    assert identity.verified_by == operator
    assert identity.document_masked == "*******566"
    assert identity.registered_building == building
    assert identity.rights == [
        {"kind": "ownership", "cadastral_number": "16:50:011101:777", "building_id": building.pk}
    ]
    today = timezone.localdate()
    expected_age = today.year - 1987 - ((today.month, today.day) < (11, 3))
    assert selectors.age_of(resident) == expected_age

    page = client.get(response["Location"]).content.decode()
    assert "*******566" in page and "445566" not in page
    assert f"age {expected_age}" in page
    record = AuditRecord.objects.get(action="accounts.identity_verified")
    assert record.actor_id == operator.pk
    assert "445566" not in str(record.after)


def test_the_in_person_check_must_be_confirmed(client, operator, resident):
    data = _document(resident)
    del data["document_checked"]
    response = client.post(VERIFY, data)
    assert response.status_code == 422
    assert 'id="id_document_checked_error"' in response.content.decode()
    assert not VerifiedIdentity.objects.exists()


def test_malformed_rights_line_is_shown_on_the_field(client, operator, resident):
    response = client.post(VERIFY, _document(resident, rights="ownership without number"))
    assert response.status_code == 422
    assert 'id="id_rights_error"' in response.content.decode()


def test_a_document_verified_for_someone_else_is_refused(client, operator, resident):
    client.post(VERIFY, _document(resident))
    other = UserFactory()
    response = client.post(VERIFY, _document(other, document_number="92 07 445566"))
    assert response.status_code == 422
    assert "already verified for another account" in response.content.decode()
    assert not VerifiedIdentity.objects.filter(user=other).exists()


def test_operators_elsewhere_and_other_staff_get_403(client, resident):
    for role, organisation in (
        (Role.OPERATOR, OrganisationFactory(managing=True)),
        (Role.DISPATCHER, OrganisationFactory(service_centre=True)),
    ):
        user = MembershipFactory(role=role, organisation=organisation).user
        sign_in_with_second_factor(client, user)
        assert client.get(VERIFY).status_code == 403
        assert client.post(VERIFY, _document(resident)).status_code == 403
    assert not VerifiedIdentity.objects.exists()


def test_operator_without_second_factor_is_sent_to_the_code(client, resident):
    centre = OrganisationFactory(service_centre=True)
    user = MembershipFactory(organisation=centre, role=Role.OPERATOR).user
    client.force_login(user)
    response = client.post(VERIFY, _document(resident))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor"))
    assert not VerifiedIdentity.objects.exists()


def test_verification_desk_is_in_the_operators_workspace(client, operator):
    assert VERIFY in client.get(reverse("portal:workspace")).content.decode()
