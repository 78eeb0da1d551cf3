"""Every time staff see a person's verified identity (name, birth date, document, address), the
audit trail records who looked, at whose identity, on which page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cityhall.accounts.models import Role, VerifiedIdentity
from cityhall.core.models import AuditRecord
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    sign_in_with_second_factor,
)

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:verify")


@pytest.fixture
def operator(client):
    centre = OrganisationFactory(service_centre=True)
    user = MembershipFactory(organisation=centre, role=Role.OPERATOR).user
    sign_in_with_second_factor(client, user)
    return user


@pytest.fixture
def verified_resident(operator, client):
    person = UserFactory(last_name="Закирова", first_name="Гульнара")
    client.post(
        VERIFY,
        {
            "person": person.pk,
            "last_name": "Закирова",
            "first_name": "Гульнара",
            "middle_name": "Фаритовна",
            "birth_date": "1987-11-03",
            "document_number": "9207 445566",
            "registered_address": "ул. Баумана, д. 7",
            "rights": "",
            "document_checked": "on",
        },
    )
    assert VerifiedIdentity.objects.filter(user=person).exists()
    return person


def _reads(person):
    return AuditRecord.objects.filter(action="accounts.identity_viewed", object_id=str(person.pk))


def test_each_staff_read_of_an_identity_is_audited(client, operator, verified_resident):
    before = _reads(verified_resident).count()
    page = client.get(f"{VERIFY}?person={verified_resident.pk}")
    assert "9207" in page.content.decode() or "***" in page.content.decode()
    client.get(f"{VERIFY}?person={verified_resident.pk}")
    reads = list(_reads(verified_resident).order_by("pk"))
    assert len(reads) == before + 2
    assert reads[-1].actor_id == operator.pk
    assert reads[-1].after == {"page": "accounts:verify"}


def test_a_person_without_identity_leaves_no_read_record(client, operator):
    person = UserFactory()
    client.get(f"{VERIFY}?person={person.pk}")
    assert not _reads(person).exists()


def test_reading_an_identity_in_the_admin_is_audited(verified_resident):
    client = Client()  # the admin's own browser
    superuser = UserFactory(is_superuser=True, is_staff=True)
    sign_in_with_second_factor(client, superuser)
    identity = VerifiedIdentity.objects.get(user=verified_resident)
    listing = client.get("/admin/accounts/verifiedidentity/")
    assert listing.status_code == 200 and identity.document_masked not in listing.content.decode()
    response = client.get(f"/admin/accounts/verifiedidentity/{identity.pk}/change/")
    assert response.status_code == 200
    read = _reads(verified_resident).latest("pk")
    assert read.actor_id == superuser.pk and read.after == {"page": "admin:verifiedidentity"}
